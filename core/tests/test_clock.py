"""The real clock's alarms: never early, holding the loop only briefly, and called off for good."""

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


async def test_an_alarm_holds_the_loop_only_for_its_last_fraction_of_a_millisecond():
    clock = SystemClock()
    loop = asyncio.get_running_loop()
    clock.bind(loop)
    ticks = 0
    done = loop.create_future()

    async def ticker() -> None:  # another coroutine that wants the loop every 10 ms
        nonlocal ticks
        while not done.done():
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    when = loop.time() + 0.3
    clock.call_at(when, lambda: done.set_result(loop.time()))
    rang_at = await done
    await ticking
    assert rang_at >= when
    assert ticks >= 10  # the loop ran on while the alarm waited (a wait held it for 0.3 s)


async def test_a_cancelled_alarm_never_rings_far_or_near():
    clock = SystemClock()
    loop = asyncio.get_running_loop()
    clock.bind(loop)
    rang: list[str] = []
    far = clock.call_at(loop.time() + 0.05, lambda: rang.append("far"))
    near = clock.call_at(loop.time() + LEAD * 0.8, lambda: rang.append("near"))
    await asyncio.sleep(0)  # the near one's loop timer is due now
    far.cancel()
    near.cancel()
    await asyncio.sleep(0.1)
    assert rang == []
