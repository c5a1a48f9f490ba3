"""Race scenarios, one per subprocess: ``python scenarios.py IMPL SCENARIO JSON-PARAMS``.

``IMPL`` is ``jobify`` (this project or the reference: the same public API, so
the same code runs on both) or ``apscheduler`` (APScheduler 3.11, for the
scenarios that have an equivalent). The result is one JSON object on the last
line of stdout: metric name -> number. ``compare.py`` drives this file with each
implementation's python; it imports nothing from this repository.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

Result = dict[str, float]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


# --- jobify (this project and the reference) ---------------------------------


async def later(x: int) -> int:
    """The stored task of the restore scenario (its name must survive a restart)."""
    return x


def _jobify_app(db: Path | None) -> Any:
    from jobify import Jobify

    if db is None:
        return Jobify(storage=False)
    from jobify.storage import SQLiteStorage

    return Jobify(storage=SQLiteStorage(database=str(db)))


def _db(p: dict[str, Any], work: Path) -> Path | None:
    return work / "race.db" if p.get("storage") == "sqlite" else None


async def j_latency(p: dict[str, Any], work: Path) -> Result:
    app = _jobify_app(_db(p, work))

    @app.task
    async def noop(x: int) -> int:
        return x

    n = p["n"]
    async with app:
        for i in range(min(50, n)):  # warm-up
            await (await noop.push(i)).wait()
        t = time.perf_counter()
        for i in range(n):
            job = await noop.push(i)
            await job.wait()
        elapsed = time.perf_counter() - t
    return {"latency_us": elapsed / n * 1e6}


async def j_throughput(p: dict[str, Any], work: Path) -> Result:
    app = _jobify_app(_db(p, work))

    @app.task
    async def noop(x: int) -> int:
        return x

    n = p["n"]
    async with app:
        t = time.perf_counter()
        await asyncio.gather(*(noop.push(i) for i in range(n)))
        await app.wait_all()
        elapsed = time.perf_counter() - t
    return {"jobs_per_s": n / elapsed}


async def j_sync_thread(p: dict[str, Any], work: Path) -> Result:
    from jobify import RunMode

    app = _jobify_app(None)

    @app.task(run_mode=RunMode.THREAD)
    def blocking(x: int) -> int:
        return x

    n = p["n"]
    async with app:
        t = time.perf_counter()
        await asyncio.gather(*(blocking.push(i) for i in range(n)))
        await app.wait_all()
        elapsed = time.perf_counter() - t
    return {"jobs_per_s": n / elapsed}


async def j_pending(p: dict[str, Any], work: Path) -> Result:
    app = _jobify_app(None)

    @app.task
    async def later(x: int) -> int:
        return x

    n = p["n"]
    async with app:
        gc.collect()
        rss = _rss()
        t = time.perf_counter()
        for i in range(n):
            await later.schedule(i).delay(3600)
        elapsed = time.perf_counter() - t
        gc.collect()
        grown = _rss() - rss
    return {"schedule_s": elapsed, "bytes_per_job": grown / n}


async def j_lateness(p: dict[str, Any], work: Path) -> Result:
    app = _jobify_app(None)
    late: list[float] = []

    @app.task
    async def due(ts: float) -> None:
        late.append(time.time() - ts)

    n, span = p["n"], p["span"]
    async with app:
        start = time.time() + 0.5
        for i in range(n):
            ts = start + span * i / n
            await due.schedule(ts).at(datetime.fromtimestamp(ts, UTC))
        await asyncio.sleep(start + span - time.time() + 0.3)
        await app.wait_all(timeout=5)
    ms = [x * 1e3 for x in late]
    return {"p50_ms": _percentile(ms, 0.5), "p99_ms": _percentile(ms, 0.99), "ran": len(ms)}


async def j_idle_cpu(p: dict[str, Any], work: Path) -> Result:
    app = _jobify_app(None)

    @app.task
    async def later(x: int) -> int:
        return x

    async with app:
        for i in range(p["n"]):
            await later.schedule(i).delay(3600)
        await asyncio.sleep(0.2)
        cpu = _cpu()
        await asyncio.sleep(p["seconds"])
        used = _cpu() - cpu
    return {"cpu_ms_per_s": used / p["seconds"] * 1e3}


async def j_schedule_awaited(p: dict[str, Any], work: Path) -> Result:
    """Durable ``.delay(3600)`` awaited one at a time (a web handler: one job per request)."""
    app = _jobify_app(_db(p, work))

    @app.task
    async def later(x: int) -> int:
        return x

    n = p["n"]
    async with app:
        for i in range(min(50, n)):  # warm-up
            await later.schedule(i).delay(3600)
        t = time.perf_counter()
        for i in range(n):
            await later.schedule(i).delay(3600)
        elapsed = time.perf_counter() - t
    return {"jobs_per_s": n / elapsed}


async def j_restore_setup(p: dict[str, Any], work: Path) -> Result:
    app = _jobify_app(Path(p["db"]))
    stored = app.task(later, name="race:later")  # a stable name across restarts
    n, chunk = p["n"], 1000
    async with app:
        for lo in range(0, n, chunk):
            batch = range(lo, min(n, lo + chunk))
            await asyncio.gather(*(stored.schedule(i).delay(3600) for i in batch))
    return {"stored": n}


async def j_restore(p: dict[str, Any], work: Path) -> Result:
    db = work / "restore.db"
    shutil.copy(p["db"], db)
    app = _jobify_app(db)
    app.task(later, name="race:later")
    t = time.perf_counter()
    async with app:
        elapsed = time.perf_counter() - t
    return {"startup_s": elapsed}


def every_second(k: int, *, distinct: bool) -> str:
    """A cron expression due every second; with ``distinct``, spelled differently per ``k``.

    The minute and hour fields list every value in two ranges split at a point
    that depends on ``k`` (``0-7,7-59``): 240 spellings of "every second".
    """
    if not distinct:
        return "* * * * * * *"
    minute, hour = k % 60, (k // 60) % 24
    return f"* 0-{minute},{minute}-59 0-{hour},{hour}-23 * * * *"  # seconds come first


async def j_cron(p: dict[str, Any], work: Path) -> Result:
    app = _jobify_app(_db(p, work))
    runs = [0]

    @app.task
    async def tick(k: int) -> None:
        runs[0] += 1

    distinct = bool(p.get("distinct"))
    async with app:
        for k in range(p["n"]):
            expression = every_second(k, distinct=distinct)
            await tick.schedule(k).cron(expression, job_id=f"tick-{k}")
        cpu = _cpu()
        await asyncio.sleep(p["seconds"])
        used = _cpu() - cpu
        counted = runs[0]
    return {"runs": counted, "cpu_s": used, "cpu_ms_per_run": used / max(1, counted) * 1e3}


# --- APScheduler 3.11 ---------------------------------------------------------


def _aps(**kwargs: Any) -> Any:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    return AsyncIOScheduler(timezone="UTC", **kwargs)


async def a_throughput(p: dict[str, Any], work: Path) -> Result:
    n = p["n"]
    done = asyncio.Event()
    count = [0]

    async def noop(x: int) -> int:
        count[0] += 1
        if count[0] == n:
            done.set()
        return x

    sched = _aps(job_defaults={"misfire_grace_time": None})
    sched.start()
    t = time.perf_counter()
    for i in range(n):
        sched.add_job(noop, args=(i,))
    await done.wait()
    elapsed = time.perf_counter() - t
    sched.shutdown(wait=False)
    return {"jobs_per_s": n / elapsed}


async def a_sync_thread(p: dict[str, Any], work: Path) -> Result:
    from apscheduler.executors.pool import ThreadPoolExecutor

    n = p["n"]
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    count = [0]

    def blocking(x: int) -> int:
        return x

    def listener(event: Any) -> None:
        count[0] += 1
        if count[0] == n:
            loop.call_soon_threadsafe(done.set)

    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    sched = _aps(
        executors={"default": ThreadPoolExecutor(min(32, (os.cpu_count() or 1) + 4))},
        job_defaults={"misfire_grace_time": None},
    )
    sched.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    sched.start()
    t = time.perf_counter()
    for i in range(n):
        sched.add_job(blocking, args=(i,))
    await done.wait()
    elapsed = time.perf_counter() - t
    sched.shutdown(wait=False)
    return {"jobs_per_s": n / elapsed}


async def a_pending(p: dict[str, Any], work: Path) -> Result:
    async def later(x: int) -> int:
        return x

    n = p["n"]
    sched = _aps()
    sched.start()
    gc.collect()
    rss = _rss()
    t = time.perf_counter()
    for i in range(n):
        sched.add_job(
            later, "date", run_date=datetime.now(UTC) + timedelta(seconds=3600), args=(i,)
        )
    elapsed = time.perf_counter() - t
    gc.collect()
    grown = _rss() - rss
    sched.shutdown(wait=False)
    return {"schedule_s": elapsed, "bytes_per_job": grown / n}


async def a_lateness(p: dict[str, Any], work: Path) -> Result:
    late: list[float] = []

    async def due(ts: float) -> None:
        late.append(time.time() - ts)

    n, span = p["n"], p["span"]
    sched = _aps()
    sched.start()
    start = time.time() + 0.5
    for i in range(n):
        ts = start + span * i / n
        sched.add_job(due, "date", run_date=datetime.fromtimestamp(ts, UTC), args=(ts,))
    await asyncio.sleep(start + span - time.time() + 0.3)
    sched.shutdown(wait=False)
    ms = [x * 1e3 for x in late]
    return {"p50_ms": _percentile(ms, 0.5), "p99_ms": _percentile(ms, 0.99), "ran": len(ms)}


async def a_idle_cpu(p: dict[str, Any], work: Path) -> Result:
    async def later(x: int) -> int:
        return x

    sched = _aps()
    sched.start()
    for i in range(p["n"]):
        sched.add_job(
            later, "date", run_date=datetime.now(UTC) + timedelta(seconds=3600), args=(i,)
        )
    await asyncio.sleep(0.2)
    cpu = _cpu()
    await asyncio.sleep(p["seconds"])
    used = _cpu() - cpu
    sched.shutdown(wait=False)
    return {"cpu_ms_per_s": used / p["seconds"] * 1e3}


async def a_cron(p: dict[str, Any], work: Path) -> Result:
    runs = [0]

    async def tick(k: int) -> None:
        runs[0] += 1

    sched = _aps()
    sched.start()
    for k in range(p["n"]):
        sched.add_job(tick, "cron", second="*", args=(k,), id=f"tick-{k}")
    cpu = _cpu()
    await asyncio.sleep(p["seconds"])
    used = _cpu() - cpu
    counted = runs[0]
    sched.shutdown(wait=False)
    return {"runs": counted, "cpu_s": used, "cpu_ms_per_run": used / max(1, counted) * 1e3}


SCENARIOS: dict[str, dict[str, Callable[[dict[str, Any], Path], Any]]] = {
    "jobify": {
        "latency": j_latency,
        "throughput": j_throughput,
        "sync_thread": j_sync_thread,
        "pending": j_pending,
        "lateness": j_lateness,
        "idle_cpu": j_idle_cpu,
        "restore_setup": j_restore_setup,
        "restore": j_restore,
        "cron": j_cron,
        "schedule_awaited": j_schedule_awaited,
    },
    "apscheduler": {
        "throughput": a_throughput,
        "sync_thread": a_sync_thread,
        "pending": a_pending,
        "lateness": a_lateness,
        "idle_cpu": a_idle_cpu,
        "cron": a_cron,
    },
}


def run(impl: str, scenario: str, params: dict[str, Any]) -> Result:
    """Run one scenario in this process (``compare.py`` calls it in a fresh one)."""
    if scenario == "restore" and not Path(params["db"]).exists():
        # Build the stored jobs once per implementation, in its own process.
        subprocess.run(
            [sys.executable, __file__, impl, "restore_setup", json.dumps(params)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    func = SCENARIOS[impl][scenario]
    with tempfile.TemporaryDirectory(prefix="jobify-race-") as tmp:
        return asyncio.run(func(params, Path(tmp)))


def main() -> None:
    impl, scenario, raw = sys.argv[1:4]
    # this project: no stray jobify.toml (compare.py --disable passes a file of its own)
    os.environ.setdefault("JOBIFY_CONFIG", "")
    print(json.dumps(run(impl, scenario, json.loads(raw))))


if __name__ == "__main__":
    main()
