"""read_only() and describe(): what `jobify jobs` uses to read without changing anything."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

import pytest

from jobify import JobStatus
from jobify.exceptions import StorageNotFoundError
from jobify.storage import InspectableStorage, ScheduledJob
from jobify_storage_sqlite import SQLiteStorage, SQLiteStorageStateError

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def row(job_id: str) -> ScheduledJob:
    return ScheduledJob(job_id, "mod:task", b"m", JobStatus.SCHEDULED, T0)


def test_sqlite_storage_declares_the_ability(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    assert isinstance(storage, InspectableStorage)
    assert (
        storage.describe() == f"SQLite file {str(tmp_path / 'jobs.db')!r}, table 'jobify_schedules'"
    )


def test_describe_makes_a_relative_path_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    storage = SQLiteStorage("jobs.db", table_name="billing")
    assert storage.describe() == f"SQLite file {str(tmp_path / 'jobs.db')!r}, table 'billing'"


async def test_a_missing_file_is_not_created(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db").read_only()
    with pytest.raises(StorageNotFoundError) as missing:
        await storage.startup()
    assert str(missing.value).startswith(
        f"SQLite file {str(tmp_path / 'jobs.db')!r} does not exist (opened read-only, so it "
        "was not created)"
    )
    assert isinstance(missing.value, FileNotFoundError)
    assert list(tmp_path.iterdir()) == []
    await storage.shutdown()  # nothing was started: nothing to do


async def test_a_missing_table_is_named(tmp_path):
    with sqlite3.connect(tmp_path / "other.db") as conn:
        conn.execute("CREATE TABLE something_else (x)")
    conn.close()
    storage = SQLiteStorage(tmp_path / "other.db").read_only()
    with pytest.raises(StorageNotFoundError, match="holds no table 'jobify_schedules' "):
        await storage.startup()


async def test_reads_what_a_running_storage_wrote_and_writes_nothing(tmp_path):
    path = tmp_path / "jobs.db"
    writer = SQLiteStorage(path)
    await writer.startup()
    try:
        await writer.add_schedule(row("a"), row("b"))
        with sqlite3.connect(path) as conn:  # a row the app could not decode
            conn.execute("UPDATE jobify_schedules SET status = 'bogus' WHERE job_id = 'b'")
        conn.close()
        reader = writer.read_only()
        assert reader is not writer
        await reader.startup()
        try:
            assert [r.job_id for r in await reader.get_schedules()] == ["a"]
            assert await reader.get_quarantined() == []  # b was left as it is, not set aside
            with pytest.raises(SQLiteStorageStateError, match="read_only"):
                await reader.add_schedule(row("c"))
            with pytest.raises(SQLiteStorageStateError, match="read_only"):
                await reader.delete_schedule("a")
            with pytest.raises(SQLiteStorageStateError, match="read_only"):
                await reader.set_aside("a", "no")
        finally:
            await reader.shutdown()
        assert [r.job_id for r in await writer.get_schedules()] == ["a"]  # b now set aside
    finally:
        await writer.shutdown()


async def test_memory_has_nothing_to_read():
    with pytest.raises(StorageNotFoundError, match="memory"):
        await SQLiteStorage(":memory:").read_only().startup()


async def test_a_read_only_file_can_be_listed(tmp_path):
    path = tmp_path / "jobs.db"
    writer = SQLiteStorage(path)
    await writer.startup()
    await writer.add_schedule(row("a"))
    await writer.shutdown()
    os.chmod(path, 0o444)
    if os.access(path, os.W_OK):
        pytest.skip("running as a user that can write read-only files (root)")
    reader = SQLiteStorage(path).read_only()
    await reader.startup()
    try:
        assert [r.job_id for r in await reader.get_schedules()] == ["a"]
    finally:
        await reader.shutdown()
