"""Metrics: runs by task and status, duration, lateness, jobs pending and running, retries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from jobify import Jobify
from jobify.testing.clock import FakeClock


async def test_runs_are_counted_by_task_and_status_with_their_duration(otel: Any) -> None:
    app = Jobify(storage=False)

    @app.task(name="maybe")
    async def maybe(fail: bool) -> None:
        await asyncio.sleep(0.02)
        if fail:
            raise RuntimeError("failed on purpose")

    async with app:
        jobs = [await maybe.push(i % 3 == 0) for i in range(6)]
        await asyncio.gather(*(job.wait() for job in jobs))
    assert otel.value("jobify.runs", task="maybe", status="success") == 4
    assert otel.value("jobify.runs", task="maybe", status="failed") == 2
    points = otel.points("jobify.run.duration")
    success = points[frozenset({("jobify.task", "maybe"), ("jobify.status", "success")})]
    assert success.count == 4
    assert 0.02 * 4 <= success.sum < 10
    lateness = otel.points("jobify.run.lateness")[frozenset({("jobify.task", "maybe")})]
    assert lateness.count == 6
    assert 0 <= lateness.min <= lateness.max < 5


async def test_lateness_is_start_minus_planned_on_the_app_clock(otel: Any) -> None:
    clock = FakeClock(start=datetime(2030, 1, 1, tzinfo=UTC))
    app = Jobify.from_config(None, clock=clock, storage=False)
    started: list[datetime] = []

    @app.task(name="due")
    async def due() -> None:
        started.append(clock.now)

    async with app:
        await due.schedule().delay(60)
        await clock.advance(timedelta(minutes=5))
    assert started == [datetime(2030, 1, 1, 0, 1, tzinfo=UTC)]
    lateness = otel.points("jobify.run.lateness")[frozenset({("jobify.task", "due")})]
    assert lateness.count == 1
    assert lateness.max == 0  # it started exactly when planned, in the app's time


async def test_pending_and_running_gauges_read_the_app_statistics(otel: Any) -> None:
    app = Jobify(storage=False)
    release = asyncio.Event()

    @app.task(name="later")
    async def later() -> None:
        return None

    @app.task(name="busy")
    async def busy() -> None:
        await release.wait()

    async with app:
        for _ in range(3):
            await later.schedule().delay(3600)
        await busy.push()
        await asyncio.sleep(0.05)
        stats = app.statistics()
        assert (stats.jobs_live, stats.jobs_running) == (4, 1)
        assert otel.value("jobify.jobs.pending") == 3
        assert otel.value("jobify.jobs.running") == 1
        release.set()
    assert otel.value("jobify.jobs.pending") == 0  # a stopped app is not counted


async def test_retries_are_counted_by_task(otel: Any) -> None:
    app = Jobify(storage=False)
    calls = 0

    @app.task(name="second_time", retry=3)
    async def second_time() -> str:
        nonlocal calls
        calls += 1
        if calls < 2:
            raise ConnectionError("try again")
        return "ok"

    async with app:
        assert await (await second_time.push()) == "ok"
    assert otel.value("jobify.run.retries", task="second_time") == 1
    assert otel.value("jobify.runs", task="second_time", status="success") == 1
