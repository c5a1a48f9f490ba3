"""startup/shutdown: state errors that say what to do, restarts, the schema and its version."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from jobify._kernel.values import JobStatus
from jobify.storage import ScheduledJob, Storage
from jobify_storage_sqlite import (
    SCHEMA_VERSION,
    SQLiteStorage,
    SQLiteStorageError,
    SQLiteStorageStateError,
)

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def row(job_id: str, minutes: int = 0) -> ScheduledJob:
    return ScheduledJob(
        job_id, "mod:task", b"m", JobStatus.SCHEDULED, T0 + timedelta(minutes=minutes)
    )


def sql(path, query, *params):
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        return conn.execute(query, params).fetchall()


def worker_threads():
    return [t for t in threading.enumerate() if t.name.startswith("jobify-sqlite:")]


def test_is_a_storage():
    assert isinstance(SQLiteStorage(), Storage)
    assert issubclass(SQLiteStorage, Storage)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get_schedules(),
        lambda s: s.add_schedule(row("a")),
        lambda s: s.add_schedule(),
        lambda s: s.delete_schedule("a"),
        lambda s: s.delete_schedule_many(["a"]),
        lambda s: s.delete_schedule_many([]),
        lambda s: s.set_aside("a", "why"),
        lambda s: s.get_quarantined(),
    ],
    ids=[
        "get",
        "add",
        "add-nothing",
        "delete",
        "delete-many",
        "delete-none",
        "set-aside",
        "quarantined",
    ],
)
async def test_calls_before_startup_say_to_start_it(tmp_path, call):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    with pytest.raises(
        SQLiteStorageStateError, match=r"is not started; call `await storage.startup\(\)` first"
    ):
        await call(storage)
    assert not (tmp_path / "jobs.db").exists()  # nothing touched the disk


async def test_calls_after_shutdown_fail_clearly_and_shutdown_is_idempotent(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.shutdown()  # before startup: nothing to do
    await storage.startup()
    await storage.shutdown()
    await storage.shutdown()
    with pytest.raises(SQLiteStorageStateError) as info:
        await storage.add_schedule(row("a"))
    assert str(info.value) == (
        f"SQLiteStorage({str(tmp_path / 'jobs.db')!r}, table 'jobify_schedules').add_schedule(): "
        "the storage is shut down; call `await storage.startup()` to use it again"
    )
    assert isinstance(info.value, RuntimeError)


async def test_second_startup_is_refused(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        with pytest.raises(
            SQLiteStorageStateError,
            match=r"startup\(\): the storage is running already; call shutdown\(\)",
        ):
            await storage.startup()
    finally:
        await storage.shutdown()


async def test_the_worker_thread_lives_exactly_between_startup_and_shutdown(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    assert worker_threads() == []
    await storage.startup()
    (thread,) = worker_threads()
    assert thread.name == "jobify-sqlite:jobs.db:jobify_schedules"
    assert thread is not threading.current_thread()
    await storage.shutdown()
    assert not thread.is_alive()
    assert worker_threads() == []


async def test_concurrent_shutdowns_both_return_once_closed(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    pending = asyncio.create_task(storage.add_schedule(row("a")))
    await asyncio.gather(storage.shutdown(), storage.shutdown())
    assert pending.done() and pending.exception() is None
    assert worker_threads() == []


async def test_restart_with_a_new_object_on_the_same_file(tmp_path):
    path = tmp_path / "jobs.db"
    first = SQLiteStorage(path)
    await first.startup()
    await first.add_schedule(row("kept", 5), row("gone"))
    await first.delete_schedule("gone")
    await first.set_aside("kept", "only listed")
    await first.add_schedule(row("other", 1))
    await first.shutdown()
    second = SQLiteStorage(str(path))
    await second.startup()
    try:
        assert [r.job_id for r in await second.get_schedules()] == ["other"]
        [(kept, reason)] = await second.get_quarantined()
        assert (kept.job_id, reason) == ("kept", "only listed")
    finally:
        await second.shutdown()


async def test_the_same_object_starts_again_after_shutdown(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    await storage.add_schedule(row("a"))
    await storage.shutdown()
    await storage.startup()
    try:
        assert [r.job_id for r in await storage.get_schedules()] == ["a"]
    finally:
        await storage.shutdown()


def test_use_from_another_event_loop_is_refused_and_shutdown_still_works(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    asyncio.run(storage.startup())
    with pytest.raises(
        SQLiteStorageStateError, match="another event loop than the one that ran startup"
    ):
        asyncio.run(storage.get_schedules())
    asyncio.run(storage.shutdown())
    assert worker_threads() == []


async def test_schema_wal_and_version(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path, table_name="my_jobs")
    await storage.startup()
    try:
        assert sql(path, "PRAGMA journal_mode") == [("wal",)]
        columns = [r[1] for r in sql(path, 'PRAGMA table_info("my_jobs")')]
        assert columns == [
            "job_id",
            "name",
            "message",
            "status",
            "next_run_at",
            "quarantined_reason",
            "paused",
            "run_requested",
            "version",
            "writer",
        ]
        assert sql(path, "SELECT key, value FROM my_jobs_meta ORDER BY key") == [
            ("schema_version", str(SCHEMA_VERSION)),
            ("version", "0"),
        ]
        assert SCHEMA_VERSION == 2
        tables = sql(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        assert [t for (t,) in tables] == [
            "my_jobs",
            "my_jobs_changes",
            "my_jobs_meta",
            "my_jobs_outcomes",
            "my_jobs_runs",
            "sqlite_sequence",
        ]
    finally:
        await storage.shutdown()


async def test_tables_of_different_names_in_one_file_are_independent(tmp_path):
    path = tmp_path / "jobs.db"
    a, b = SQLiteStorage(path, table_name="app_a"), SQLiteStorage(path, table_name="app_b")
    await a.startup()
    await b.startup()
    try:
        await asyncio.gather(a.add_schedule(row("x")), b.add_schedule(row("y")))
        assert [r.job_id for r in await a.get_schedules()] == ["x"]
        assert [r.job_id for r in await b.get_schedules()] == ["y"]
    finally:
        await a.shutdown()
        await b.shutdown()


async def test_a_newer_schema_version_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path)
    await storage.startup()
    await storage.shutdown()
    sql(path, "UPDATE jobify_schedules_meta SET value = '3' WHERE key = 'schema_version'")
    with pytest.raises(
        SQLiteStorageError,
        match=r"schema version '3'.*reads version 2 \(and migrates older ones\). Upgrade "
        "jobify-storage-sqlite",
    ):
        await storage.startup()
    assert worker_threads() == []


async def test_a_foreign_table_of_the_same_name_is_refused(tmp_path):
    path = tmp_path / "jobs.db"
    sql(path, "CREATE TABLE jobify_schedules (id INTEGER, payload TEXT)")
    with pytest.raises(
        SQLiteStorageError,
        match=r"lacks the columns job_id, name, message, status, next_run_at.*another table_name",
    ):
        await SQLiteStorage(path).startup()
    assert sql(path, "SELECT name FROM sqlite_master WHERE name = 'jobify_schedules_meta'") == []


async def test_a_table_written_by_jobify_014_is_adopted(tmp_path):
    path = tmp_path / "jobs.db"
    sql(
        path,
        "CREATE TABLE jobify_schedules (job_id TEXT PRIMARY KEY, name TEXT, message BLOB, status TEXT, "
        "next_run_at TEXT, created_at TEXT DEFAULT CURRENT_TIMESTAMP, updated_at TEXT DEFAULT CURRENT_TIMESTAMP)",
    )
    sql(
        path,
        "INSERT INTO jobify_schedules (job_id, name, message, status, next_run_at) VALUES "
        "('old', 'mod:task', x'00ff', 'scheduled', '2030-01-01T02:00:00+02:00')",
    )
    storage = SQLiteStorage(path)
    await storage.startup()
    try:
        [old] = await storage.get_schedules()
        assert old == ScheduledJob("old", "mod:task", b"\x00\xff", JobStatus.SCHEDULED, T0)
        assert old.next_run_at.tzinfo is UTC
        await storage.add_schedule(row("old", 1), row("new"))
        assert [r.job_id for r in await storage.get_schedules()] == ["new", "old"]
    finally:
        await storage.shutdown()


async def test_in_memory_database(tmp_path):
    storage = SQLiteStorage(":memory:")
    await storage.startup()
    try:
        await storage.add_schedule(row("a"))
        assert [r.job_id for r in await storage.get_schedules()] == ["a"]
    finally:
        await storage.shutdown()


async def test_next_run_at_comes_back_as_aware_utc(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        local = datetime(
            2030, 6, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-7, minutes=-30))
        )
        await storage.add_schedule(ScheduledJob("a", "n", b"", "scheduled", local))
        [got] = await storage.get_schedules()
        assert got.next_run_at == local
        assert got.next_run_at.tzinfo is UTC
        assert got.status is JobStatus.SCHEDULED
    finally:
        await storage.shutdown()


async def test_a_cancelled_startup_leaves_nothing_running(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    task = asyncio.create_task(storage.startup())
    await asyncio.sleep(0)  # the thread is opening the file
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):
        if not worker_threads():
            break
        await asyncio.sleep(0.01)
    assert worker_threads() == []
    with pytest.raises(SQLiteStorageStateError, match="not started"):
        await storage.get_schedules()
    await storage.startup()  # and it can be started again
    await storage.shutdown()
