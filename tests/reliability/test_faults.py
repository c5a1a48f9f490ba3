"""Injected faults: storage calls that raise, a locked SQLite file, tasks and middleware that
misbehave. The caller hears of a failed write, every other job keeps running, nothing already
stored is lost."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from jobify import Jobify, JobStatus
from jobify.exceptions import JobTimeoutError
from jobify.storage import ScheduledJob, Storage
from jobify_storage_sqlite import SQLiteStorage


class Boom(OSError):
    """The injected storage failure."""


class FaultyStorage(Storage):
    """Wraps a storage; a call named in ``fail`` raises :class:`Boom` instead."""

    def __init__(self, inner: Storage, *fail: str) -> None:
        self.inner = inner
        self.fail = set(fail)
        self.calls: list[str] = []

    def _check(self, name: str) -> None:
        self.calls.append(name)
        if name in self.fail:
            raise Boom(f"injected failure in {name}")

    async def startup(self) -> None:
        self._check("startup")
        await self.inner.startup()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def get_schedules(self) -> Sequence[ScheduledJob]:
        self._check("get_schedules")
        return await self.inner.get_schedules()

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        self._check("add_schedule")
        await self.inner.add_schedule(*scheduled)

    async def delete_schedule(self, job_id: str) -> None:
        self._check("delete_schedule")
        await self.inner.delete_schedule(job_id)

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        self._check("delete_schedule_many")
        await self.inner.delete_schedule_many(job_ids)

    async def set_aside(self, job_id: str, reason: str) -> None:
        await self.inner.set_aside(job_id, reason)  # type: ignore[attr-defined]


def make_app(storage: Storage | bool, ran: list[str]) -> tuple[Jobify, Any, Any]:
    app = Jobify(storage=storage)

    @app.task(name="record")
    async def record(tag: str) -> None:
        ran.append(tag)

    @app.task(name="volatile", durable=False)
    async def volatile(tag: str) -> None:
        ran.append(tag)

    return app, record, volatile


async def stored_ids(path: Path) -> set[str]:
    storage = SQLiteStorage(path)
    await storage.startup()
    try:
        return {row.job_id for row in await storage.get_schedules()}
    finally:
        await storage.shutdown()


async def test_add_schedule_failure_reaches_the_caller_and_leaves_no_live_job(
    tmp_path: Path,
) -> None:
    ran: list[str] = []
    faulty = FaultyStorage(SQLiteStorage(tmp_path / "jobs.db"), "add_schedule")
    app, record, volatile = make_app(faulty, ran)
    async with app:
        with pytest.raises(Boom, match="add_schedule"):
            await record.schedule("push").push(job_id="p")
        with pytest.raises(Boom):
            await record.schedule("delay").delay(0.01, job_id="d")
        assert app.find_job("p") is None and app.find_job("d") is None
        assert app.get_active_jobs() == []
        job = await volatile.schedule("v").push()  # needs no storage
        await job.wait()
        assert job.status is JobStatus.SUCCESS
        await asyncio.sleep(0.05)
        # the same ids can be scheduled once storage works again
        faulty.fail.clear()
        job = await record.schedule("again").push(job_id="p")
        await job.wait()
    assert ran == ["v", "again"]


async def test_delete_failure_is_logged_and_the_job_runs_again_after_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []
    faulty = FaultyStorage(SQLiteStorage(tmp_path / "jobs.db"), "delete_schedule_many")
    app, record, _ = make_app(faulty, ran)
    async with app:
        job = await record.schedule("once").push(job_id="j1")
        await job.wait()
        await asyncio.sleep(0.05)
    assert job.status is JobStatus.SUCCESS
    assert "they will run again after a restart (at-least-once)" in caplog.text
    assert await stored_ids(tmp_path / "jobs.db") == {"j1"}
    app2, _, _ = make_app(SQLiteStorage(tmp_path / "jobs.db"), ran)
    async with app2:
        await app2.wait_all(5)
        await asyncio.sleep(0.05)
    assert ran == ["once", "once"]
    assert await stored_ids(tmp_path / "jobs.db") == set()


async def test_get_schedules_failure_fails_startup_clearly(tmp_path: Path) -> None:
    ran: list[str] = []
    faulty = FaultyStorage(SQLiteStorage(tmp_path / "jobs.db"), "get_schedules")
    app, _, _ = make_app(faulty, ran)
    with pytest.raises(Boom, match="get_schedules"):
        await app.startup()
    assert not app.configs.app_started
    await app.shutdown()  # a no-op on an app that did not start
    faulty.fail.clear()
    async with app:  # and it can start once storage works
        assert app.configs.app_started


async def test_locked_database_reports_the_error_and_keeps_serving(tmp_path: Path) -> None:
    db = tmp_path / "jobs.db"
    ran: list[str] = []
    app, record, volatile = make_app(SQLiteStorage(db, timeout=0.2), ran)
    async with app:
        kept = await record.schedule("kept").delay(3600, job_id="kept")
        blocker = sqlite3.connect(db, timeout=0, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            began = time.monotonic()
            with pytest.raises(OSError, match=r"timeout=0\.2s") as info:
                await record.schedule("late").push(job_id="late")
            took = time.monotonic() - began
            assert 0.15 < took < 5, took
            assert str(db) in str(info.value)
            assert app.find_job("late") is None
            jobs = [await volatile.schedule(f"v{i}").push() for i in range(20)]
            for job in jobs:
                await job.wait()
            assert all(job.status is JobStatus.SUCCESS for job in jobs)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        job = await record.schedule("after").push(job_id="after")
        await job.wait()
        assert kept.status is JobStatus.SCHEDULED
        await asyncio.sleep(0.05)
    assert await stored_ids(db) == {"kept"}
    assert "late" not in ran and "after" in ran


async def test_read_only_database_reports_the_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    db = tmp_path / "jobs.db"
    ran: list[str] = []
    app, record, _ = make_app(SQLiteStorage(db), ran)
    async with app:
        await record.schedule("kept").delay(3600, job_id="kept")
    for p in tmp_path.iterdir():
        p.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        app2, record2, volatile2 = make_app(SQLiteStorage(db, timeout=0.2), ran)
        with pytest.raises(OSError, match="writable|readonly|read-only"):
            await app2.startup()
    finally:
        tmp_path.chmod(0o755)
        for p in tmp_path.iterdir():
            p.chmod(0o644)
    assert await stored_ids(db) == {"kept"}


async def test_hanging_task_times_out_and_others_run() -> None:
    app = Jobify(storage=False)

    @app.task(timeout=0.1)
    async def hang() -> None:
        await asyncio.sleep(3600)

    @app.task
    async def quick(x: int) -> int:
        return x

    async with app:
        stuck = await hang.schedule().push()
        others = [await quick.schedule(i).push() for i in range(10)]
        for job in others:
            await job.wait()
        assert [job.result() for job in others] == list(range(10))
        await stuck.wait()
        assert stuck.status is JobStatus.TIMEOUT
        assert isinstance(stuck.exception, JobTimeoutError)
        assert app.get_active_jobs() == []


class CustomBase(BaseException):
    pass


@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit, CustomBase])
async def test_task_raising_base_exception_fails_the_job_only(
    exc_type: type[BaseException],
) -> None:
    app = Jobify(storage=False)

    @app.task
    async def bad() -> None:
        raise exc_type("from the task")

    @app.task
    def bad_sync() -> None:
        raise exc_type("from a thread")

    @app.task
    async def good() -> str:
        return "ok"

    async with app:
        failed = [await bad.schedule().push(), await bad_sync.schedule().push()]
        fine = await good.schedule().push()
        for job in (*failed, fine):
            await job.wait()
        for job in failed:
            assert job.status is JobStatus.FAILED
            assert isinstance(job.exception, RuntimeError)
            assert isinstance(job.exception.__cause__, exc_type)
            assert exc_type.__name__ in str(job.exception)
        assert fine.result() == "ok"
        again = await good.schedule().push()  # the app still serves
        await again.wait()
        assert again.result() == "ok"


async def test_raising_middleware_fails_its_job_only() -> None:
    class Picky:
        async def __call__(self, call_next: Any, context: Any) -> Any:
            if context.runnable.name == "victim":
                raise RuntimeError("middleware refused")
            return await call_next(context)

    app = Jobify(storage=False, middleware=[Picky()])

    @app.task(name="victim")
    async def victim() -> None: ...

    @app.task(name="bystander")
    async def bystander() -> str:
        return "ok"

    async with app:
        hit = await victim.schedule().push()
        fine = await bystander.schedule().push()
        await hit.wait()
        await fine.wait()
        assert hit.status is JobStatus.FAILED
        assert str(hit.exception) == "middleware refused"
        assert fine.result() == "ok"


PROCESS_SCRIPT = """
import asyncio, faulthandler, operator, os, sys
from jobify import Jobify, JobStatus, RunMode

app = Jobify(storage=False)
die = app.task(os._exit, name="die", run_mode=RunMode.PROCESS)
add = app.task(operator.add, name="add", run_mode=RunMode.PROCESS)


async def main():
    async with app:
        first = await add.schedule(1, 2).push()
        await first.wait()
        dead = await die.schedule(3).push()
        await dead.wait()
        after = [await add.schedule(i, i).push() for i in range(4)]
        for job in after:
            await job.wait()
        print(first.result(), dead.status.value, type(dead.exception).__name__,
              [job.result() for job in after])


if __name__ == "__main__":
    faulthandler.dump_traceback_later(60, exit=True)  # a hang fails with a traceback
    asyncio.run(main())
"""


def test_process_worker_that_dies_fails_its_job_and_the_pool_recovers(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "proc.py").write_text(PROCESS_SCRIPT)
    env = {**os.environ, "JOBIFY_CONFIG": ""}
    out = subprocess.run(
        [sys.executable, "proc.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=90,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "failed", "WorkerDiedError", "[0,", "2,", "4,", "6]"]
    assert "died before returning" in out.stderr


TIMEOUT_SCRIPT = """
import asyncio, faulthandler, os, sys, time
from pathlib import Path
from jobify import Jobify, RunMode

app = Jobify(storage=False)


def sleeper(path):
    Path(path).write_text(str(os.getpid()))
    time.sleep(60)


def double(x):
    return 2 * x


slow = app.task(sleeper, name="sleeper", run_mode=RunMode.PROCESS, timeout=1)
quick = app.task(double, name="double", run_mode=RunMode.PROCESS)


def running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


async def main():
    async with app:
        late = await slow.schedule("pid").push()
        await late.wait()
        pid = int(Path("pid").read_text())
        started = time.monotonic()
        soon = await quick.schedule(21).push()
        await soon.wait()
        took = time.monotonic() - started
        deadline = time.monotonic() + 10
        while running(pid) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        print(late.status.value, type(late.exception).__name__, soon.result(), running(pid))
        print(f"{took:.1f}", file=sys.stderr)


if __name__ == "__main__":
    faulthandler.dump_traceback_later(120, exit=True)
    asyncio.run(main())
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_process_job_past_its_timeout_ends_its_worker_and_later_jobs_run(tmp_path: Path) -> None:
    """Issue 13: the worker running a timed-out call is ended and replaced.

    With one worker, a job queued behind the timed-out call must not wait for
    it (60 s), and no process may go on running that call.
    """
    import subprocess
    import sys

    (tmp_path / "proc.py").write_text(TIMEOUT_SCRIPT)
    (tmp_path / "jobify.toml").write_text("[jobify.executors.process]\nmax_workers = 1\n")
    env = {**os.environ, "JOBIFY_CONFIG": str(tmp_path / "jobify.toml")}
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "proc.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=150,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["timeout", "JobTimeoutError", "42", "False"], out.stderr
    assert float(out.stderr.split()[-1]) < 30, out.stderr  # not behind the 60 s sleep
    assert time.monotonic() - started < 60


async def test_cron_job_survives_a_failing_storage_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, "jobify")
    runs: list[int] = []
    faulty = FaultyStorage(SQLiteStorage(tmp_path / "jobs.db"))
    app = Jobify(storage=faulty)

    @app.task(name="every")
    async def every() -> None:
        runs.append(1)

    async with app:
        await every.schedule().cron("* * * * * * *", job_id="c")
        faulty.fail.add("add_schedule")
        deadline = time.monotonic() + 5
        while len(runs) < 2:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        assert app.find_job("c") is not None
    assert "could not store its next run" in caplog.text
