"""The operations abilities on one file: migration, reading only, tombstones, the feed's cost.

The behaviour every such storage owes is in test_contract_operations.py (the
shared suites); this file holds what is SQLite's own: schema version 1 files
brought to version 2 in place, ``read_only()`` on either version never
writing, tombstones trimmed, and what the change feed costs while idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest

from jobify import JobStatus
from jobify.storage import JobOutcome, RunRecord, ScheduledJob
from jobify_storage_sqlite import SQLiteStorage, SQLiteStorageError, SQLiteStorageStateError

T0 = datetime(2030, 1, 1, tzinfo=UTC)

# What jobify-storage-sqlite wrote before this version (schema version 1), verbatim.
V1_SCHEMA = (
    'CREATE TABLE "jobify_schedules_meta" (key TEXT PRIMARY KEY, value TEXT)',
    'CREATE TABLE "jobify_schedules" (job_id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, '
    "message BLOB NOT NULL, status TEXT NOT NULL, next_run_at TEXT NOT NULL, "
    "quarantined_reason TEXT)",
    "INSERT INTO \"jobify_schedules_meta\" (key, value) VALUES ('schema_version', '1')",
)


def row(job_id: str, minutes: int = 0, *, name: str = "mod:task") -> ScheduledJob:
    return ScheduledJob(job_id, name, b"m", JobStatus.SCHEDULED, T0 + timedelta(minutes=minutes))


def sql(path, query, *params):
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        return conn.execute(query, params).fetchall()


def make_v1(path) -> None:
    """A file as the previous version left it: two jobs, one of them set aside."""
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA journal_mode=WAL")
        for statement in V1_SCHEMA:
            conn.execute(statement)
        conn.executemany(
            'INSERT INTO "jobify_schedules" VALUES (?, ?, ?, ?, ?, ?)',
            [
                ("daily", "report", b"\x00msg", "scheduled", "2030-01-01T00:05:00.000000+00:00",
                 None),
                ("orphan", "gone", b"x", "scheduled", "2030-01-01T00:00:00.000000+00:00",
                 "no task named 'gone' is declared"),
            ],
        )  # fmt: skip


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.asynccontextmanager
async def started(storage):
    await storage.startup()
    try:
        yield storage
    finally:
        await storage.shutdown()


# --- migration -------------------------------------------------------------------------


async def test_a_version_1_file_is_migrated_in_place_and_keeps_its_rows(tmp_path):
    path = tmp_path / "jobs.db"
    make_v1(path)
    async with started(SQLiteStorage(path)) as storage:
        [daily] = await storage.get_schedules()
        assert daily == ScheduledJob(
            "daily", "report", b"\x00msg", JobStatus.SCHEDULED, T0 + timedelta(minutes=5)
        )
        assert await storage.get_quarantined() == [
            (ScheduledJob("orphan", "gone", b"x", JobStatus.SCHEDULED, T0),
             "no task named 'gone' is declared"),
        ]  # fmt: skip
        listed = await storage.list_jobs()
        assert [(s.row.job_id, s.paused, s.set_aside) for s in listed] == [
            ("daily", False, None),
            ("orphan", False, "no task named 'gone' is declared"),
        ]
        cursor = await storage.cursor()
        assert await storage.set_paused("daily", paused=True)
        await storage.record_runs(
            RunRecord("daily", "report", T0, T0, T0, JobStatus.SUCCESS, 1, "h:1")
        )
        assert len(await storage.get_runs()) == 1
        assert await storage.cursor() > cursor
    assert sql(path, "SELECT value FROM jobify_schedules_meta WHERE key = 'schema_version'") == [
        ("2",)
    ]
    async with started(SQLiteStorage(path)) as again:  # opening a version 2 file changes nothing
        assert (await again.get_stored_job("daily")).paused


async def test_a_failed_migration_changes_nothing(tmp_path):
    path = tmp_path / "jobs.db"
    make_v1(path)
    sql(path, "CREATE TABLE jobify_schedules_runs (unrelated TEXT)")  # in the way of the index
    with pytest.raises(SQLiteStorageError, match="no such column"):
        await SQLiteStorage(path).startup()
    assert sql(path, "SELECT value FROM jobify_schedules_meta WHERE key = 'schema_version'") == [
        ("1",)
    ]
    columns = [r[1] for r in sql(path, 'PRAGMA table_info("jobify_schedules")')]
    assert "paused" not in columns
    assert len(sql(path, "SELECT * FROM jobify_schedules")) == 2


# --- reading only ---------------------------------------------------------------------


async def test_read_only_on_a_version_1_file_reads_and_writes_nothing(tmp_path):
    path = tmp_path / "jobs.db"
    make_v1(path)
    before = digest(path)
    async with started(SQLiteStorage(path).read_only()) as reader:
        assert [s.row.job_id for s in await reader.list_jobs()] == ["daily", "orphan"]
        assert [s.row.job_id for s in await reader.list_jobs(status="set aside")] == ["orphan"]
        assert await reader.list_jobs(status="paused") == []
        assert (await reader.get_stored_job("daily")).paused is False
        assert await reader.get_runs(job_id="daily") == []
        assert await reader.get_outcome("daily") is None
        with pytest.raises(SQLiteStorageStateError, match="read_only"):
            await reader.set_paused("daily", paused=True)
    assert digest(path) == before
    assert sql(path, "SELECT value FROM jobify_schedules_meta WHERE key = 'schema_version'") == [
        ("1",)
    ]


async def test_read_only_reads_every_ability_and_commits_nothing(tmp_path):
    path = tmp_path / "jobs.db"
    async with started(SQLiteStorage(path)) as writer:
        await writer.add_schedule(row("a"), row("b"))
        await writer.record_runs(RunRecord("a", "mod:task", T0, T0, T0, JobStatus.SUCCESS, 1, "n"))
        await writer.finish_jobs(JobOutcome("b", "mod:task", JobStatus.SUCCESS, b"1", None, T0))
        watcher = sqlite3.connect(path)
        try:
            version = watcher.execute("PRAGMA data_version").fetchone()[0]
            async with started(writer.read_only()) as reader:
                assert [s.row.job_id for s in await reader.list_jobs()] == ["a"]
                assert len(await reader.get_runs(job_id="a")) == 1
                assert (await reader.get_outcome("b")).result == b"1"
                assert (await reader.changes(0)).deleted == ["b"]
                for write in (
                    reader.set_paused("a", paused=True),
                    reader.request_run("a"),
                    reader.record_runs(
                        RunRecord("a", "mod:task", T0, T0, T0, JobStatus.SUCCESS, 1, "n")
                    ),
                    reader.trim_runs(keep_per_job=0),
                    reader.finish_jobs(JobOutcome("a", "t", JobStatus.SUCCESS, None, None, T0)),
                    reader.purge_outcomes(T0 + timedelta(days=1)),
                ):
                    with pytest.raises(SQLiteStorageStateError, match="read_only"):
                        await write
            assert watcher.execute("PRAGMA data_version").fetchone()[0] == version, "a commit"
        finally:
            watcher.close()


# --- tombstones ------------------------------------------------------------------------


async def test_tombstones_are_trimmed_after_the_keep_time(tmp_path, monkeypatch):
    monkeypatch.setattr("jobify_storage_sqlite.storage.CHANGES_KEPT_SECONDS", 0.3)
    path = tmp_path / "jobs.db"
    async with started(SQLiteStorage(path)) as storage, started(SQLiteStorage(path)) as other:
        cursor = await other.cursor()
        await storage.add_schedule(*(row(f"j{i}") for i in range(50)))
        await storage.delete_schedule_many([f"j{i}" for i in range(50)])
        assert len((await other.changes(cursor)).deleted) == 50
        assert sql(path, "SELECT count(*) FROM jobify_schedules_changes") == [(50,)]
        deadline = time.monotonic() + 10
        while sql(path, "SELECT count(*) FROM jobify_schedules_changes") != [(0,)]:
            assert time.monotonic() < deadline, "tombstones were not trimmed"
            await storage.add_schedule(row("tick"))  # trimming rides the write batches
            await asyncio.sleep(0.05)


# --- the change feed's cost ------------------------------------------------------------


async def test_an_idle_watch_calls_back_once_and_wakes_the_loop_for_nothing_else(tmp_path):
    path = tmp_path / "jobs.db"
    calls: list[float] = []
    async with started(SQLiteStorage(path)) as storage:
        storage.watch(lambda: calls.append(time.monotonic()))
        await asyncio.sleep(1.5)
        assert len(calls) == 1, "one call for what came before the watch, then none while idle"
        await storage.add_schedule(row("mine"))  # own writes do not wake the watch either
        await asyncio.sleep(0.8)
        assert len(calls) == 1


async def test_feed_latency_and_idle_cost(tmp_path, capsys):
    """Another connection's write reaches ``watch`` within one poll (0.25 s), in a few µs idle."""
    path = tmp_path / "jobs.db"
    arrived = asyncio.Event()
    async with started(SQLiteStorage(path)) as scheduler, started(SQLiteStorage(path)) as producer:
        scheduler.watch(arrived.set)
        await asyncio.sleep(0.1)
        latencies = []
        for i in range(12):
            arrived.clear()
            began = time.monotonic()
            await producer.add_schedule(row(f"j{i}"))
            async with asyncio.timeout(5):
                await arrived.wait()
            latencies.append(time.monotonic() - began)
            await asyncio.sleep(0.05 * (i % 5))  # land at different points of the poll
        cpu_before = time.process_time()
        await asyncio.sleep(2.0)
        idle_cpu = (time.process_time() - cpu_before) / 2.0
    latencies.sort()
    with capsys.disabled():
        print(
            f"\n[figures] SQLite change feed: latency median {latencies[6] * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms (12 writes); idle CPU of the process with two "
            f"storages, one watching: {idle_cpu * 100:.2f} % of a core"
        )
    assert latencies[-1] < 1.5, latencies
    assert idle_cpu < 0.05, f"idle watch used {idle_cpu:.1%} of a core"


async def test_history_and_outcomes_join_the_write_batches(tmp_path):
    """Recording runs and keeping outcomes adds no transaction per job: they share batches."""
    path = tmp_path / "jobs.db"
    async with started(SQLiteStorage(path)) as storage:
        await storage.add_schedule(*(row(f"j{i}") for i in range(300)))
        before = storage.statistics().transactions
        await asyncio.gather(
            *(
                storage.record_runs(
                    RunRecord(f"j{i}", "mod:task", T0, T0, T0, JobStatus.SUCCESS, 1, "n")
                )
                for i in range(300)
            ),
            *(
                storage.finish_jobs(
                    JobOutcome(f"j{i}", "mod:task", JobStatus.SUCCESS, b"1", None, T0)
                )
                for i in range(300)
            ),
        )
        stats = storage.statistics()
        assert stats.transactions - before <= 3, stats
        assert stats.rows_deleted == 300
        assert await storage.get_schedules() == []


def test_watch_needs_a_started_storage(tmp_path):
    with pytest.raises(SQLiteStorageStateError, match="not started"):
        SQLiteStorage(tmp_path / "jobs.db").watch(lambda: None)


def test_the_feed_interval_is_between_a_fifth_and_half_a_second():
    from jobify_storage_sqlite import storage

    assert 0.2 <= storage.FEED_SECONDS <= 0.5
    assert storage.CHANGES_KEPT_SECONDS >= 600
