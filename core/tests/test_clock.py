"""The real clock's alarms: never early, not a millisecond late, and called off for good."""

from __future__ import annotations

import asyncio

from jobify._kernel.clock import LEAD, SystemClock


async def test_an_alarm_rings_at_its_time_and_never_before():
    clock = SystemClock()
    loop = asyncio.get_running_loop()
    clock.bind(loop)
    early: list[float] = []
    rung = 0

    for k in range(40):
        done = loop.create_future()
        when = loop.time() + 0.002 + k * 0.00005  # sub-millisecond offsets, which epoll rounds up

        def ring(when: float = when, done: asyncio.Future[None] = done) -> None:
            nonlocal rung
            rung += 1
            if loop.time() < when:
                early.append(when - loop.time())
            done.set_result(None)

        clock.call_at(when, ring)
        await done
    assert rung == 40
    assert early == []


async def test_the_loop_serves_other_callbacks_while_an_alarm_waits_for_its_time():
    clock = SystemClock()
    loop = asyncio.get_running_loop()
    clock.bind(loop)
    turns = 0
    done = loop.create_future()

    def spin() -> None:  # another callback that wants the loop every turn
        nonlocal turns
        turns += 1
        if not done.done():
            loop.call_soon(spin)

    when = loop.time() + LEAD / 2  # inside the lead: the alarm waits on the loop at once
    clock.call_at(when, lambda: done.set_result(loop.time()))
    loop.call_soon(spin)
    rang_at = await done
    assert rang_at >= when
    assert turns > 1


async def test_a_cancelled_alarm_never_rings_whether_armed_or_waiting():
    clock = SystemClock()
    loop = asyncio.get_running_loop()
    clock.bind(loop)
    rang: list[str] = []
    armed = clock.call_at(loop.time() + 0.05, lambda: rang.append("armed"))
    waiting = clock.call_at(loop.time() + LEAD * 0.8, lambda: rang.append("waiting"))
    await asyncio.sleep(0)  # the waiting one is now going round the loop
    armed.cancel()
    waiting.cancel()
    await asyncio.sleep(0.1)
    assert rang == []
