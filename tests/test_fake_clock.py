"""The fake clock drives the real timer loop, cron advancing and misfire policies."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jobify import INJECT, Cron, GracePolicy, JobContext, Jobify
from jobify.testing.clock import FakeClock
from jobify_cron_croniter import create_crontab
from jobify_storage_sqlite import SQLiteStorage

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBIFY_CONFIG", "")


def make_app(**kw) -> Jobify:
    kw.setdefault("storage", False)
    return Jobify(tz=BERLIN, cron_factory=create_crontab, **kw)


async def test_monthly_cron_through_a_year_in_a_dst_zone() -> None:
    clock = FakeClock(start=datetime(2030, 1, 15, 10, 0, tzinfo=BERLIN))
    app = clock.install(make_app())
    runs: list[datetime] = []

    @app.task
    async def report(ctx: JobContext = INJECT) -> None:
        runs.append(app.configs.timer.now())
        assert ctx.job.exec_at == runs[-1]

    started = time.perf_counter()
    async with app:
        await report.schedule().cron("0 0 1 * *", job_id="monthly")
        await clock.advance(timedelta(days=31))
        assert len(runs) == 1
        await clock.advance_to(datetime(2031, 1, 15, tzinfo=BERLIN))
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0
    assert len(runs) == 12
    assert [(r.year, r.month, r.day, r.hour, r.minute) for r in runs] == [
        (2030 + (m > 12), (m - 1) % 12 + 1, 1, 0, 0) for m in range(2, 14)
    ]
    # midnight local time both in winter (+01:00) and in summer (+02:00)
    assert {r.utcoffset() for r in runs} == {timedelta(hours=1), timedelta(hours=2)}


async def test_delay_runs_after_an_hour_and_not_before() -> None:
    clock = FakeClock(start=datetime(2030, 3, 30, 12, 0, tzinfo=BERLIN))
    app = clock.install(make_app())
    ran: list[datetime] = []

    @app.task
    async def ping() -> None:
        ran.append(app.configs.timer.now())

    async with app:
        job = await ping.schedule().delay(3600)
        await clock.advance(timedelta(minutes=59, seconds=59))
        assert ran == []
        assert not job.is_done()
        await clock.advance(timedelta(seconds=1))
        assert ran == [datetime(2030, 3, 30, 13, 0, tzinfo=BERLIN)]
        assert job.is_done()


async def test_jobs_run_in_time_order_each_at_its_own_instant() -> None:
    start = datetime(2030, 1, 1, tzinfo=BERLIN)
    clock = FakeClock(start=start)
    app = clock.install(make_app())
    seen: list[tuple[str, datetime]] = []

    @app.task
    async def mark(tag: str) -> None:
        seen.append((tag, app.configs.timer.now()))

    async with app:
        await mark.schedule("c").delay(30)
        await mark.schedule("a").delay(10)
        await mark.schedule("b").at(start + timedelta(seconds=20))
        await clock.advance(60)
    assert seen == [(t, start + timedelta(seconds=s)) for t, s in (("a", 10), ("b", 20), ("c", 30))]


async def test_grace_policy_on_restart_runs_only_the_recent_missed_runs(tmp_path) -> None:
    clock = FakeClock(start=datetime(2030, 6, 1, 8, 0, tzinfo=BERLIN))
    db = tmp_path / "jobs.db"
    runs: list[datetime] = []

    def build() -> tuple[Jobify, Any]:
        app = clock.install(make_app(storage=SQLiteStorage(db)))

        @app.task(name="daily")
        async def daily(ctx: JobContext = INJECT) -> None:
            runs.append(ctx.job.exec_at)

        return app, daily

    first, daily = build()
    async with first:
        grace = GracePolicy(timedelta(days=2, hours=2))
        await daily.schedule().cron(Cron("0 9 * * *", misfire_policy=grace), job_id="d")
        await clock.advance_to(datetime(2030, 6, 1, 10, 0, tzinfo=BERLIN))
    assert runs == [datetime(2030, 6, 1, 9, 0, tzinfo=BERLIN)]

    # down for five days: the runs of June 2 and 3 are older than the grace period
    await clock.advance_to(datetime(2030, 6, 6, 10, 0, tzinfo=BERLIN))
    assert len(runs) == 1

    second, _ = build()
    async with second:
        await clock.advance(0)
        assert [r.day for r in runs] == [1, 4, 5, 6]
        await clock.advance_to(datetime(2030, 6, 7, 10, 0, tzinfo=BERLIN))
    assert [r.day for r in runs] == [1, 4, 5, 6, 7]
    assert all(r.hour == 9 for r in runs)


def test_install_needs_an_aware_start_and_a_stopped_app() -> None:
    with pytest.raises(ValueError, match="aware"):
        FakeClock(start=datetime(2030, 1, 1))


def test_the_readme_example_runs(tmp_path) -> None:
    import re
    import subprocess
    import sys
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (block,) = [
        b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL) if "FakeClock" in b
    ]
    (tmp_path / "example.py").write_text(block)
    result = subprocess.run(
        [sys.executable, "example.py"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "JOBIFY_CONFIG": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_install_on_a_running_app_is_refused() -> None:
    clock = FakeClock(start=datetime(2030, 1, 1, tzinfo=BERLIN))
    app = make_app()

    async def main() -> None:
        async with app:
            with pytest.raises(RuntimeError, match="before startup"):
                clock.install(app)

    import asyncio

    asyncio.run(main())


async def test_advance_refuses_to_go_back() -> None:
    clock = FakeClock(start=datetime(2030, 1, 1, tzinfo=BERLIN))
    with pytest.raises(ValueError, match="not before"):
        await clock.advance_to(datetime(2029, 1, 1, tzinfo=BERLIN))
    with pytest.raises(ValueError, match="forward"):
        await clock.advance(-1)
