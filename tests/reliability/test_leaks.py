"""Leaks and load: 100,000 push -> done cycles, an every-second cron soak, and 100,000
pending delayed jobs (memory per job, restore time from SQLite). Memory must return to a
flat line, the registry must hold no finished job, and nothing may outlive shutdown."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from jobify import Jobify
from jobify_storage_sqlite import SQLiteStorage

CYCLES = 100_000
PENDING = 100_000
SOAK_SECONDS = float(os.environ.get("JOBIFY_SOAK_SECONDS", "10"))  # 60 for the full soak


def traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def assert_nothing_left(app: Jobify, threads_before: set[threading.Thread]) -> None:
    stats = app.statistics()
    assert (stats.jobs_live, stats.jobs_running, stats.pending_deletes) == (0, 0, 0), stats
    assert stats.timers_armed == 0, stats
    leftover = asyncio.all_tasks() - {asyncio.current_task()}
    assert leftover == set(), leftover
    threads = {t for t in threading.enumerate() if t.is_alive()} - threads_before
    assert threads == set(), threads


@pytest.mark.slow
def test_push_done_cycles_leave_memory_flat(figures: dict[str, str]) -> None:
    app = Jobify(storage=False)

    @app.task
    async def nop(i: int) -> int:
        return i

    async def rounds(n: int) -> None:
        for _ in range(n // 1000):
            for i in range(1000):
                await nop.schedule(i).push()
            await app.wait_all(30)

    async def main() -> tuple[int, int]:
        before = set(threading.enumerate())
        async with app:
            await rounds(10_000)  # warm-up: caches, free lists
            tracemalloc.start()
            try:
                base = traced()
                await rounds(CYCLES // 2)
                half = traced()
                await rounds(CYCLES // 2)
                end = traced()
            finally:
                tracemalloc.stop()
            stats = app.statistics()
            assert (stats.jobs_live, stats.jobs_running) == (0, 0), stats
        assert_nothing_left(app, before)
        return half - base, end - base

    half, end = asyncio.run(main())
    # a leak of even 8 bytes per job would show as 800 kB here
    assert end < 256 * 1024, f"grew {end} bytes over {CYCLES} jobs"
    assert end - half < 128 * 1024, (half, end)
    figures["push->done cycles"] = (
        f"{CYCLES} jobs, traced memory +{half / 1024:.1f} KiB at half, +{end / 1024:.1f} KiB "
        "at the end; registry empty; no task or thread left"
    )


@pytest.mark.slow
def test_every_second_cron_soak(tmp_path: Path, figures: dict[str, str]) -> None:
    app = Jobify(storage=SQLiteStorage(tmp_path / "jobs.db"))
    samples: list[int] = []
    ticks: list[int] = []

    @app.task(durable=False)
    async def child(i: int) -> None: ...

    @app.task(name="tick", cron="* * * * * * *")
    async def tick() -> None:
        ticks.append(1)
        for i in range(200):
            await child.schedule(i).push()

    async def main() -> None:
        before = set(threading.enumerate())
        tracemalloc.start()
        try:
            async with app:
                deadline = time.monotonic() + SOAK_SECONDS
                while time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
                    samples.append(traced())
                    live = app.get_active_jobs()
                    assert all(not job.is_done() for job in live)
                    assert len(live) <= 1 + 200
        finally:
            tracemalloc.stop()
        assert_nothing_left(app, before)

    asyncio.run(main())
    assert len(ticks) >= SOAK_SECONDS - 2
    warm = samples[len(samples) // 4 :]
    spread = max(warm) - min(warm)
    assert spread < 512 * 1024, f"memory moved {spread} bytes during the soak"
    assert warm[-1] - warm[0] < 256 * 1024, (warm[0], warm[-1])
    figures["cron soak"] = (
        f"{SOAK_SECONDS:.0f}s, {len(ticks)} runs x 200 pushes; traced memory spread after "
        f"warm-up {spread / 1024:.1f} KiB; no task or thread left (JOBIFY_SOAK_SECONDS=60 for "
        "the full soak)"
    )


def make_later(storage: Any) -> tuple[Jobify, Any]:
    app = Jobify(storage=storage)

    @app.task(name="later")
    async def later(i: int) -> None: ...

    return app, later


async def schedule_pending(later: Any, n: int) -> None:
    for start in range(0, n, 5000):
        await asyncio.gather(
            *(later.schedule(i).delay(3600, job_id=f"j{i}") for i in range(start, start + 5000))
        )


@pytest.mark.slow
def test_memory_per_pending_job(figures: dict[str, str]) -> None:
    app, later = make_later(False)

    async def main() -> float:
        async with app:
            tracemalloc.start()
            try:
                base = traced()
                await schedule_pending(later, PENDING)
                per_job = (traced() - base) / PENDING
            finally:
                tracemalloc.stop()
            assert app.statistics().jobs_live == PENDING
        assert app.statistics().jobs_live == 0
        return per_job

    per_job = asyncio.run(main())
    print(f"\nmemory per pending delayed job: {per_job:.0f} bytes")
    assert per_job < 4096
    figures["memory per pending job"] = f"{per_job:.0f} bytes ({PENDING} delayed jobs held)"


@pytest.mark.slow
def test_restore_time_of_pending_jobs_from_sqlite(tmp_path: Path, figures: dict[str, str]) -> None:
    db = tmp_path / "jobs.db"

    async def main() -> tuple[float, float]:
        app, later = make_later(SQLiteStorage(db))
        async with app:
            began = time.perf_counter()
            await schedule_pending(later, PENDING)
            stored = time.perf_counter() - began
        app, _ = make_later(SQLiteStorage(db))
        began = time.perf_counter()
        await app.startup()
        restore = time.perf_counter() - began
        try:
            assert app.statistics().jobs_live == PENDING
        finally:
            await app.shutdown()
        return stored, restore

    stored, restore = asyncio.run(main())
    print(f"\nrestore of {PENDING} pending jobs from SQLite: {restore:.2f}s")
    assert restore < 60
    figures["startup restore from SQLite"] = (
        f"{restore:.2f}s for {PENDING} pending jobs ({PENDING / restore:,.0f} jobs/s); "
        f"storing them took {stored:.2f}s"
    )
