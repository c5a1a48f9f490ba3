"""Concurrent calls share transactions, a commit precedes every answer, a full queue pushes back."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from jobify._kernel.values import JobStatus
from jobify.storage import ScheduledJob
from jobify_storage_sqlite import SQLiteStatistics, SQLiteStorage

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def row(job_id: str, minutes: int = 0) -> ScheduledJob:
    return ScheduledJob(
        job_id, "mod:task", b"m", JobStatus.SCHEDULED, T0 + timedelta(minutes=minutes)
    )


@contextlib.contextmanager
def write_lock(path):
    """Hold the database's write lock from another connection, as another process would."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield other
        finally:
            other.execute("ROLLBACK")


async def test_a_thousand_concurrent_adds_cost_a_few_transactions(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        before = storage.statistics()
        await asyncio.gather(*(storage.add_schedule(row(f"j{i}", i)) for i in range(1000)))
        stats = storage.statistics()
        assert stats.transactions - before.transactions <= 10  # one per loop turn, not per call
        assert stats.rows_written == 1000
        assert stats.operations - before.operations == 1000
        assert stats.largest_batch >= 100
        assert len(await storage.get_schedules()) == 1000
        await asyncio.gather(*(storage.delete_schedule(f"j{i}") for i in range(0, 1000, 4)))
        stats = storage.statistics()
        assert stats.rows_deleted == 250
        assert stats.transactions - before.transactions <= 22
    finally:
        await storage.shutdown()


async def test_sequential_calls_each_commit(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        start = storage.statistics().transactions
        for i in range(5):
            await storage.add_schedule(row(f"j{i}"))
        assert storage.statistics().transactions - start == 5
    finally:
        await storage.shutdown()


async def test_rows_are_committed_when_add_schedule_returns(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path)
    await storage.startup()
    try:
        await asyncio.gather(storage.add_schedule(row("a")), storage.add_schedule(row("b")))
        # another connection (another process) sees the rows at once
        with contextlib.closing(sqlite3.connect(path)) as other:
            ids = {r[0] for r in other.execute("SELECT job_id FROM jobify_schedules")}
        assert ids == {"a", "b"}
    finally:
        await storage.shutdown()


async def test_reads_in_a_batch_see_the_writes_queued_before_them(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        _, _, rows, _, after = await asyncio.gather(
            storage.add_schedule(row("a")),
            storage.add_schedule(row("b")),
            storage.get_schedules(),
            storage.delete_schedule("a"),
            storage.get_schedules(),
        )
        assert [r.job_id for r in rows] == ["a", "b"]
        assert [r.job_id for r in after] == ["b"]
    finally:
        await storage.shutdown()


async def test_a_full_queue_makes_callers_wait(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path, max_queue_size=3, timeout=5)
    await storage.startup()
    try:
        with write_lock(path):
            tasks = [asyncio.create_task(storage.add_schedule(row(f"j{i}"))) for i in range(10)]
            await asyncio.sleep(0.05)  # the worker is stuck on the lock with the first batch
            stats = storage.statistics()
            assert (stats.queued, stats.waiting) == (3, 7)
            assert not any(t.done() for t in tasks)
        await asyncio.gather(*tasks)
        stats = storage.statistics()
        assert (stats.queued, stats.waiting) == (0, 0)
        assert stats.largest_batch <= 3
        assert stats.transactions >= 4
        assert len(await storage.get_schedules()) == 10
    finally:
        await storage.shutdown()


async def test_statistics_are_a_frozen_snapshot(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    assert storage.statistics() == SQLiteStatistics()
    await storage.startup()
    try:
        snap = storage.statistics()
        await storage.add_schedule(row("a"))
        assert snap.rows_written == 0
        assert storage.statistics().rows_written == 1
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            snap.transactions = 5
    finally:
        await storage.shutdown()
    assert storage.statistics().rows_written == 1  # counters outlive the session


async def test_a_cancelled_caller_does_not_lose_or_break_the_write(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        task = asyncio.create_task(storage.add_schedule(row("a")))
        await asyncio.sleep(0)  # queued
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert [r.job_id for r in await storage.get_schedules()] == ["a"]
        assert storage.statistics().queued == 0
    finally:
        await storage.shutdown()


async def test_shutdown_answers_every_accepted_call_first(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path, max_queue_size=2)
    await storage.startup()
    tasks = [asyncio.create_task(storage.add_schedule(row(f"j{i}"))) for i in range(20)]
    await asyncio.sleep(0)
    await storage.shutdown()
    assert all(t.done() and t.exception() is None for t in tasks)
    again = SQLiteStorage(path)
    await again.startup()
    try:
        assert len(await again.get_schedules()) == 20
    finally:
        await again.shutdown()


async def test_callers_waiting_for_room_go_in_order_and_a_cancelled_one_frees_its_turn(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path, max_queue_size=1, timeout=5)
    await storage.startup()
    try:
        with write_lock(path):
            tasks = [asyncio.create_task(storage.add_schedule(row(f"j{i}", i))) for i in range(6)]
            answered: list[int] = []
            for i, task in enumerate(tasks):
                task.add_done_callback(lambda _, i=i: answered.append(i))
            await asyncio.sleep(0.05)
            assert (storage.statistics().queued, storage.statistics().waiting) == (1, 5)
            tasks[2].cancel()  # waiting for room: never accepted, never written
            await asyncio.sleep(0)
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
        assert tasks[2].cancelled()
        assert [i for i in answered if i != 2] == [0, 1, 3, 4, 5]  # first come, first served
        stored = [r.job_id for r in await storage.get_schedules()]
        assert stored == ["j0", "j1", "j3", "j4", "j5"]
        assert storage.statistics().largest_batch == 1
        assert (storage.statistics().queued, storage.statistics().waiting) == (0, 0)
    finally:
        await storage.shutdown()


async def test_a_lone_write_commits_without_the_worker_and_a_locked_file_never_blocks_the_loop(
    tmp_path,
):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path, timeout=5)
    await storage.startup()
    try:
        await storage.add_schedule(row("alone"))  # committed before the answer, either way
        assert [r.job_id for r in await storage.get_schedules()] == ["alone"]
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.create_task(ticker())
        # twice: the worker's busy timeout, set for the first wait, must not make the
        # loop's thread wait for the lock the second time
        for name in ("waits", "waits again"):
            ticks = 0
            with write_lock(path):  # another process holds the write lock for 0.3 s
                write = asyncio.create_task(storage.add_schedule(row(name)))
                await asyncio.sleep(0.3)
                assert not write.done()
            await asyncio.wait_for(write, 5)
            assert ticks >= 15  # the loop ran on while the write waited for the lock
        ticking.cancel()
        stored = {r.job_id for r in await storage.get_schedules()}
        assert stored == {"alone", "waits", "waits again"}
    finally:
        await storage.shutdown()


async def test_the_wal_is_checkpointed_while_writes_commit_one_at_a_time(tmp_path):
    path = tmp_path / "jobs.db"
    wal = tmp_path / "jobs.db-wal"
    storage = SQLiteStorage(path)
    await storage.startup()
    try:
        for i in range(6000):  # awaited one by one: each commits alone
            await storage.add_schedule(row(f"j{i}"))
        await asyncio.sleep(0.2)
        # without checkpoints the WAL holds every commit (over 60 MB here); the
        # worker's checkpoints let it start over once it holds 4,000 frames (16 MB)
        assert wal.stat().st_size < 24 * 2**20, wal.stat().st_size
        assert len(await storage.get_schedules()) == 6000
    finally:
        await storage.shutdown()


async def test_a_job_awaited_after_another_shares_its_transaction_with_the_last_ones_end(tmp_path):
    """Push, await the job, push again: the first job's end (its outcome) and the next
    job's row go in one transaction, not two."""
    from jobify import Jobify

    storage = SQLiteStorage(tmp_path / "jobs.db")
    app = Jobify(storage=storage)

    @app.task
    async def noop(x: int) -> int:
        return x

    async with app:
        await (await noop.push(0)).wait()
        before = storage.statistics()
        for i in range(1, 51):
            job = await noop.push(i)
            await job.wait()
            assert job.result() == i
        stats = storage.statistics()
        assert stats.operations - before.operations == 100  # a push and an end each
        assert stats.transactions - before.transactions <= 55, stats
