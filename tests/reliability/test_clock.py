"""The wall clock jumps (NTP step, manual change, VM resume): a clock passed to the app
whose wall time jumps. Timers already armed run on the loop's monotonic clock; cron runs are computed
in wall time, so a forward jump is a misfire (its policy decides) and a backward jump makes
the cron job wait for the wall clock to come back to its next planned run. No run fires twice.
See README "Behaviour notes"."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from jobify import INJECT, Cron, JobContext, Jobify, JobStatus, MisfirePolicy
from jobify._kernel.clock import SystemClock


class Clock(SystemClock):
    """The system clock with a wall time that jumps when the test says (the monotonic
    time, on which armed timers run, does not)."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = timedelta()

    def wall(self) -> datetime:
        return super().wall() + self.offset

    def jump(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_app(clock: Clock) -> Jobify:
    return Jobify.from_config(None, clock=clock, storage=False)


@pytest.mark.parametrize("jump", [3600, -3600], ids=["forward", "back"])
async def test_a_delay_fires_once_after_its_real_duration(clock: Clock, jump: float) -> None:
    app = make_app(clock)
    fired: list[float] = []

    @app.task
    async def ping() -> None:
        fired.append(time.monotonic())

    async with app:
        began = time.monotonic()
        job = await ping.schedule().delay(0.4)
        clock.jump(jump)
        await asyncio.wait_for(job.wait(), 5)
        await asyncio.sleep(0.3)
    assert len(fired) == 1
    assert 0.35 <= fired[0] - began < 2
    assert job.status is JobStatus.SUCCESS


def every_second(app: Jobify, policy: MisfirePolicy) -> tuple[Any, list[tuple[int, datetime]]]:
    runs: list[tuple[int, datetime]] = []

    @app.task(name="tick")
    async def tick(ctx: JobContext = INJECT) -> None:
        assert ctx.job.cron_context is not None
        runs.append((ctx.job.cron_context.run_count, ctx.job.exec_at))

    return tick, runs


async def wait_runs(runs: list[Any], n: int, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while len(runs) < n:
        assert time.monotonic() < deadline, runs
        await asyncio.sleep(0.02)


def assert_no_double(runs: list[tuple[int, datetime]]) -> None:
    counts = [n for n, _ in runs]
    assert counts == list(range(len(runs))), counts
    planned = [at for _, at in runs]
    assert planned == sorted(planned) and len(set(planned)) == len(planned), planned


@pytest.mark.parametrize(
    ("policy", "catch_up"),
    [(MisfirePolicy.ONCE, 1), (MisfirePolicy.SKIP, 0), (MisfirePolicy.ALL, 5)],
)
async def test_cron_after_a_forward_jump_follows_its_misfire_policy(
    clock: Clock, policy: MisfirePolicy, catch_up: int
) -> None:
    app = make_app(clock)
    tick, runs = every_second(app, policy)
    async with app:
        job = await tick.schedule().cron(Cron("* * * * * * *", misfire_policy=policy), job_id="t")
        await wait_runs(runs, 1)
        await asyncio.sleep(0.1)
        armed = job.exec_at  # armed on the monotonic clock: fires at its real time
        clock.jump(5.0 if policy is MisfirePolicy.ALL else 3600)
        wall_after_jump = clock_now(clock)
        await wait_runs(runs, 2 + catch_up + 1)
        await asyncio.sleep(0.3)
    assert_no_double(runs)
    missed = [at for _, at in runs if armed < at < wall_after_jump]
    if policy is MisfirePolicy.ALL:
        # every missed second ran, in order, right after the jump
        assert len(missed) >= 3, runs
    else:
        assert missed == [], runs
    if policy is MisfirePolicy.ONCE:  # one catch-up run at the time the misfire was seen
        assert any(at.microsecond for _, at in runs if at > armed), runs


async def test_cron_after_a_backward_jump_waits_and_never_repeats(clock: Clock) -> None:
    app = make_app(clock)
    tick, runs = every_second(app, MisfirePolicy.ONCE)
    async with app:
        job = await tick.schedule().cron("* * * * * * *", job_id="t")
        await wait_runs(runs, 2)
        clock.jump(-3600)
        before = len(runs)
        await asyncio.sleep(2.2)
        # at most the run already armed before the jump fires: nothing is run again for
        # wall-clock seconds that already ran
        assert len(runs) <= before + 1
        assert job.status is JobStatus.SCHEDULED
        assert job.exec_at > clock_now(clock)  # waits for the wall clock to catch up
    assert_no_double(runs)


def clock_now(clock: Clock) -> datetime:
    return clock.wall()
