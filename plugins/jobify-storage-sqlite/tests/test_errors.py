"""SQLite errors reach every caller of the failed batch, say what to do, and never kill the worker."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from datetime import UTC, datetime

import pytest

from jobify._kernel.values import JobStatus
from jobify.exceptions import BaseJobifyError
from jobify.storage import ScheduledJob
from jobify_storage_sqlite import SQLiteStorage, SQLiteStorageError, _rows

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def row(job_id: str) -> ScheduledJob:
    return ScheduledJob(job_id, "mod:task", b"m", JobStatus.SCHEDULED, T0)


def sql(path, query):
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(query)


async def test_a_locked_database_fails_every_caller_of_the_batch_then_recovers(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path, timeout=0.05)
    await storage.startup()
    try:
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            results = await asyncio.gather(
                *(storage.add_schedule(row(f"j{i}")) for i in range(5)), return_exceptions=True
            )
            other.execute("ROLLBACK")
        assert all(isinstance(r, SQLiteStorageError) for r in results), results
        err = results[0]
        assert isinstance(err, OSError) and isinstance(err, BaseJobifyError)
        assert isinstance(err.__cause__, sqlite3.OperationalError)
        assert str(err).startswith(
            f"SQLiteStorage({str(path)!r}, table 'jobify_schedules').add_schedule(): "
        )
        assert "database is locked" in str(err)
        assert "timeout=0.05s; stop the other writer or raise timeout" in str(err)
        stats = storage.statistics()
        assert stats.failed_transactions >= 1 and stats.rows_written == 0
        # the worker survived: the next call works
        await storage.add_schedule(row("after"))
        assert [r.job_id for r in await storage.get_schedules()] == ["after"]
    finally:
        await storage.shutdown()


async def test_text_sqlite_cannot_store_is_refused_on_the_callers_side(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        with pytest.raises(ValueError, match=r"row 'lone \\ud800': job_id holds '\\ud800'"):
            await storage.add_schedule(row("lone \ud800"))
        assert storage.statistics().failed_transactions == 0
    finally:
        await storage.shutdown()


async def test_one_bad_operation_does_not_fail_its_batch_neighbours(tmp_path, monkeypatch):
    # let the row through the caller-side check, so that it fails inside the batch
    monkeypatch.setattr(_rows, "checked_row", lambda job, where: job)
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        results = await asyncio.gather(
            storage.add_schedule(row("ok-1")),
            storage.add_schedule(row("lone surrogate \ud800")),  # cannot be encoded as UTF-8
            storage.add_schedule(row("ok-2")),
            return_exceptions=True,
        )
        assert results[0] is None and results[2] is None
        assert isinstance(results[1], UnicodeEncodeError)
        assert [r.job_id for r in await storage.get_schedules()] == ["ok-1", "ok-2"]
        assert storage.statistics().failed_transactions == 2  # the batch, then the culprit alone
    finally:
        await storage.shutdown()


async def test_a_dropped_table_is_reported_and_the_worker_keeps_serving(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path)
    await storage.startup()
    try:
        sql(path, "DROP TABLE jobify_schedules")
        with pytest.raises(
            SQLiteStorageError,
            match=r"get_schedules\(\): OperationalError: no such table.*restart the app",
        ):
            await storage.get_schedules()
        with pytest.raises(
            SQLiteStorageError, match=r"delete_schedule_many\(\): OperationalError: no such table"
        ):
            await storage.delete_schedule_many(["a", "b"])
        sql(
            path,
            "CREATE TABLE jobify_schedules (job_id TEXT PRIMARY KEY, name TEXT, message BLOB, "
            "status TEXT, next_run_at TEXT, quarantined_reason TEXT, paused INTEGER DEFAULT 0, "
            "run_requested INTEGER DEFAULT 0, version INTEGER DEFAULT 0, writer INTEGER DEFAULT 0)",
        )
        await storage.add_schedule(row("back"))
        assert [r.job_id for r in await storage.get_schedules()] == ["back"]
    finally:
        await storage.shutdown()


async def test_a_missing_directory_fails_startup_and_startup_can_be_retried(tmp_path):
    path = tmp_path / "missing" / "jobs.db"
    storage = SQLiteStorage(path)
    with pytest.raises(
        SQLiteStorageError,
        match=r"startup\(\): OperationalError: unable to open database file\. check that the directory",
    ):
        await storage.startup()
    path.parent.mkdir()
    await storage.startup()
    try:
        await storage.add_schedule(row("a"))
    finally:
        await storage.shutdown()


async def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "jobs.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(
        SQLiteStorageError,
        match=r"file is not a database\. the file is not a healthy SQLite database",
    ):
        await SQLiteStorage(path).startup()


async def test_a_database_that_turned_read_only_reports_the_fix(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path)
    await storage.startup()
    try:
        # white box: what a read-only file does to every write, on the worker's own
        # connection; unlike chmod this works when the tests run as root
        def make_read_only(conn, tally):
            conn.execute("PRAGMA query_only = ON")

        await storage._call("make_read_only", make_read_only, writes=False)
        with pytest.raises(
            SQLiteStorageError,
            match=r"add_schedule\(\): OperationalError: attempt to write a readonly database",
        ):
            await storage.add_schedule(row("a"))
        assert await storage.get_schedules() == []  # reads still work
    finally:
        await storage.shutdown()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file modes")
async def test_a_read_only_file_fails_startup_with_the_fix(tmp_path):
    path = tmp_path / "jobs.db"
    first = SQLiteStorage(path)
    await first.startup()
    await first.shutdown()
    path.chmod(0o444)
    with pytest.raises(
        SQLiteStorageError,
        match=r"readonly database\. make the file, its -wal/-shm files and its directory writable",
    ):
        await SQLiteStorage(path).startup()


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        (
            ScheduledJob(1, "n", b"", JobStatus.SCHEDULED, T0),
            TypeError,
            r"job_id must be a str, got 1",
        ),
        (
            ScheduledJob("a", None, b"", JobStatus.SCHEDULED, T0),
            TypeError,
            r"row 'a': name must be a str",
        ),
        (
            ScheduledJob("a", "n", "text", JobStatus.SCHEDULED, T0),
            TypeError,
            r"row 'a': message must be bytes, got str",
        ),
        (
            ScheduledJob("a", "n", b"", "sleeping", T0),
            ValueError,
            r"row 'a': status 'sleeping' is not a JobStatus; use 'pending'",
        ),
        (
            ScheduledJob("a", "n", b"", JobStatus.SCHEDULED, datetime(2030, 1, 1)),
            ValueError,
            r"row 'a': next_run_at .* is naive; pass an aware datetime",
        ),
        (
            ScheduledJob("a", "n", b"", JobStatus.SCHEDULED, "2030-01-01"),
            TypeError,
            r"row 'a': next_run_at must be a datetime",
        ),
        (("a", "n"), TypeError, r"expected ScheduledJob rows"),
    ],
)
async def test_bad_rows_fail_at_the_call_before_anything_is_queued(tmp_path, bad, error, match):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        with pytest.raises(error, match=r"SQLiteStorage\(.*\)\.add_schedule\(\): " + match):
            await storage.add_schedule(row("good"), bad)
        assert await storage.get_schedules() == []
        assert storage.statistics().operations == 1
    finally:
        await storage.shutdown()


async def test_delete_many_refuses_a_single_string(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        await storage.add_schedule(row("abc"), row("a"))
        with pytest.raises(
            TypeError,
            match=r"delete_schedule_many\('abc'\): expected a sequence of job ids.*pass \['abc'\]",
        ):
            await storage.delete_schedule_many("abc")
        with pytest.raises(TypeError, match=r"job ids must be str, got 3"):
            await storage.delete_schedule_many(["a", 3])
        assert len(await storage.get_schedules()) == 2
    finally:
        await storage.shutdown()
