"""Durable jobs survive SIGKILL: a new process on the same SQLite file runs each once,
and a cron job's run count continues where it stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

WORKER = """
import asyncio, os, sys
from jobify import Cron, INJECT, JobContext, Jobify

app = Jobify.from_config("jobify.toml")


def note(line: str) -> None:
    with open("ledger.txt", "a") as fh:
        fh.write(line + "\\n")
        fh.flush()
        os.fsync(fh.fileno())


@app.task
async def record(tag: str) -> None:
    note(f"{tag} {os.getpid()}")


@app.task(cron=Cron("* * * * * * *"))
async def tick(ctx: JobContext = INJECT) -> None:
    note(f"tick {ctx.job.cron_context.run_count} {os.getpid()}")


async def main() -> None:
    async with app:
        if sys.argv[1] == "schedule":
            for i in range(20):
                await record.schedule(f"job-{i}").delay(2.0 + i * 0.02, job_id=f"job-{i}")
            print("scheduled", flush=True)
        await asyncio.sleep(3600)


asyncio.run(main())
"""


def ledger(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split() for line in path.read_text().splitlines() if line]


def wait_for(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_jobs_survive_sigkill_and_run_once(tmp_path: Path) -> None:
    (tmp_path / "worker.py").write_text(WORKER)
    (tmp_path / "jobify.toml").write_text(
        '[jobify.storage]\nuse = "sqlite"\ndatabase = "jobs.db"\n'
    )
    env = {**os.environ, "JOBIFY_CONFIG": ""}
    book = tmp_path / "ledger.txt"

    first = subprocess.Popen(
        [sys.executable, "worker.py", "schedule"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "scheduled"
    wait_for(lambda: sum(1 for r in ledger(book) if r[0] == "tick") >= 1, 10)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    first.stdout.close()
    before = ledger(book)
    assert not [r for r in before if r[0].startswith("job-")], (
        "the delayed jobs ran before the kill"
    )
    last_tick = max(int(r[1]) for r in before if r[0] == "tick")

    second = subprocess.Popen([sys.executable, "worker.py", "serve"], cwd=tmp_path, env=env)
    try:
        wait_for(lambda: len([r for r in ledger(book) if r[0].startswith("job-")]) >= 20, 20)
        wait_for(
            lambda: sum(1 for r in ledger(book) if r[0] == "tick" and r[2] == str(second.pid)) >= 2,
            10,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    rows = ledger(book)
    jobs = sorted(r[0] for r in rows if r[0].startswith("job-"))
    assert jobs == sorted(f"job-{i}" for i in range(20)), "every job ran exactly once"
    assert {r[1] for r in rows if r[0].startswith("job-")} == {str(second.pid)}
    after_ticks = [int(r[1]) for r in rows if r[0] == "tick" and r[2] == str(second.pid)]
    # the count continues; the last run repeats only if the kill came before its end was
    # stored (the ledger line is written by the run, the next run is stored after it)
    assert after_ticks[0] in (last_tick, last_tick + 1), "the cron run count continued"
    assert after_ticks == sorted(after_ticks)


def test_jobify_jobs_lists_stored_jobs(tmp_path: Path) -> None:
    (tmp_path / "jobify.toml").write_text(
        '[jobify.storage]\nuse = "sqlite"\ndatabase = "jobs.db"\n'
    )
    script = """
import asyncio
from jobify import Jobify
app = Jobify()

@app.task
async def later(x: int) -> None: ...

async def main():
    async with app:
        await later.schedule(1).delay(3600, job_id="in-an-hour")

asyncio.run(main())
"""
    env = {k: v for k, v in os.environ.items() if k != "JOBIFY_CONFIG"}
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, check=True, timeout=60)
    result = subprocess.run(
        [sys.executable, "-m", "jobify.cli", "jobs"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    header, line, count = result.stdout.splitlines()
    assert header.split() == ["ID", "TASK", "STATUS", "NEXT", "RUN", "(UTC)", "LAST", "RUN", "TOOK"]
    assert (
        count == f"1 job(s) in SQLite file {str(tmp_path / 'jobs.db')!r}, table 'jobify_schedules'"
    )
    assert line.split()[:3] == ["in-an-hour", "__main__:later", "scheduled"] or line.split()[
        :3
    ] == [
        "in-an-hour",
        "-c:later",
        "scheduled",
    ]


def test_corrupt_and_orphan_rows_are_set_aside_and_listed(tmp_path: Path) -> None:
    """A row that cannot be decoded, or whose task is gone, is kept aside and shown."""
    import sqlite3

    (tmp_path / "jobify.toml").write_text(
        '[jobify.storage]\nuse = "sqlite"\ndatabase = "jobs.db"\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "JOBIFY_CONFIG"}
    schedule = """
import asyncio
from jobify import Jobify
app = Jobify()

@app.task(name="keep")
async def keep(x: int) -> None: ...

@app.task(name="gone")
async def gone() -> None: ...

async def main():
    async with app:
        await keep.schedule(1).delay(3600, job_id="good")
        await keep.schedule(2).delay(3600, job_id="corrupt")
        await gone.schedule().delay(3600, job_id="orphan")

asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", schedule], cwd=tmp_path, env=env, check=True, timeout=60)
    with sqlite3.connect(tmp_path / "jobs.db") as conn:
        conn.execute(
            "UPDATE jobify_schedules SET message = ? WHERE job_id = 'corrupt'", (b"\x00garbage",)
        )
    restart = """
import asyncio
from jobify import Jobify
app = Jobify()

@app.task(name="keep")
async def keep(x: int) -> None: ...

async def main():
    async with app:
        print(sorted(j.id for j in app.get_active_jobs()))

asyncio.run(main())
"""
    result = subprocess.run(
        [sys.executable, "-c", restart],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['good']"
    assert "corrupt" in result.stderr and "orphan" in result.stderr  # logged with their ids
    listing = subprocess.run(
        [sys.executable, "-m", "jobify.cli", "jobs"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    rows = {line.split()[0]: line for line in listing.splitlines()[1:-1]}  # header, count
    assert listing.splitlines()[-1].startswith("3 job(s) in SQLite file ")
    assert set(rows) == {"good", "corrupt", "orphan"}
    assert "scheduled" in rows["good"]
    assert "set aside: its message cannot be decoded" in rows["corrupt"]
    assert "set aside: no task named 'gone'" in rows["orphan"]
