"""Contract suites for the storage abilities that operate a scheduler.

A storage that declares :class:`~jobify.storage.ChangeFeed`,
:class:`~jobify.storage.ControlStorage`, :class:`~jobify.storage.HistoryStorage`
or :class:`~jobify.storage.ResultStorage` subclasses the matching suite here
(or :class:`OperationsStorageContract`, all four) and overrides one fixture,
as for :class:`~jobify.testing.contracts.StorageContract`::

    from jobify.testing.contracts import OperationsStorageContract

    class TestRedisOperations(OperationsStorageContract):
        @pytest.fixture
        def make_storage(self, tmp_path):
            return lambda: RedisStorage(url=...)

``make_storage`` returns a zero-argument callable that builds a new storage
object on the *same* backing store each time. The suites start two of them
at once, as two processes would open one database (a scheduler and a
producer, or ``jobify jobs pause ID``): what one writes the other must see
through the change feed, and never its own writes. Each check is the
docstring of the ability, asserted; a test that needs a second ability (a
pause reported by the change feed) is skipped when the storage lacks it.

``feed_timeout`` (seconds, 5 by default) bounds the wait for a ``watch``
callback; override it for a storage whose signal is slower.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from jobify._kernel.values import JobStatus
from jobify.storage import (
    ChangeFeed,
    ControlStorage,
    HistoryStorage,
    JobOutcome,
    ResultStorage,
    RowChanges,
    RunRecord,
    ScheduledJob,
    SetAsideStorage,
)
from jobify.testing.contracts.storage import T0, row

__all__ = (
    "ERROR_LIMIT",
    "SUMMARY_LIMIT",
    "ChangeFeedContract",
    "ControlStorageContract",
    "HistoryStorageContract",
    "OperationsStorageContract",
    "ResultStorageContract",
    "outcome",
    "run",
)

ERROR_LIMIT = 2000
"""At most this many characters of an error text (a run's, an outcome's) are kept."""
SUMMARY_LIMIT = 200
"""A run's ``result_summary`` is kept to at most this many characters."""


def run(
    job_id: str,
    minutes: int = 0,
    *,
    status: JobStatus = JobStatus.SUCCESS,
    task: str = "mod:task",
    error: str | None = None,
    summary: str | None = "None",
) -> RunRecord:
    """A run record that finished ``minutes`` after ``T0``, for the history tests."""
    finished = T0 + timedelta(minutes=minutes)
    failed = status is not JobStatus.SUCCESS
    return RunRecord(
        job_id=job_id,
        task=task,
        planned_at=finished - timedelta(seconds=2),
        started_at=finished - timedelta(seconds=1, microseconds=250),
        finished_at=finished,
        status=status,
        attempt=1,
        node="host:1",
        error_type="ValueError" if failed else None,
        error_message=(error or "ValueError: boom") if failed else None,
        result_summary=None if failed else summary,
    )


def outcome(
    job_id: str,
    minutes: int = 0,
    *,
    status: JobStatus = JobStatus.SUCCESS,
    result: bytes | None = b"42",
    error: str | None = None,
) -> JobOutcome:
    """An outcome of a job finished ``minutes`` after ``T0``, for the kept-results tests."""
    return JobOutcome(job_id, "mod:task", status, result, error, T0 + timedelta(minutes=minutes))


@contextlib.asynccontextmanager
async def _started(make_storage: Callable[[], Any], count: int = 1) -> AsyncIterator[list[Any]]:
    """Start ``count`` storages on one backing store; shut them down at the end."""
    storages: list[Any] = []
    try:
        for _ in range(count):
            storage = make_storage()
            await storage.startup()
            storages.append(storage)
        yield storages
    finally:
        for storage in reversed(storages):
            await storage.shutdown()


def _ids(stored: Any) -> list[str]:
    return [s.row.job_id for s in stored]


def _minutes(record: RunRecord) -> int:
    """When ``record`` finished, in minutes after ``T0``."""
    return (record.finished_at - T0) // timedelta(minutes=1)


def _same_row(got: ScheduledJob, want: ScheduledJob) -> None:
    assert (got.job_id, got.name, bytes(got.message)) == (want.job_id, want.name, want.message)
    assert JobStatus(got.status) is JobStatus(want.status)
    assert got.next_run_at == want.next_run_at
    assert got.next_run_at.utcoffset() is not None


class StorageRows:
    """Reading a storage's rows in the suites."""

    @staticmethod
    async def ids(storage: Any) -> set[str]:
        """The ids of the rows ``get_schedules`` returns."""
        return {r.job_id for r in await storage.get_schedules()}


class _Suite:
    @pytest.fixture
    def make_storage(self) -> Callable[[], Any]:
        """Return a factory of storages sharing one backing store."""
        raise NotImplementedError("override the make_storage fixture")

    @pytest.fixture
    def feed_timeout(self) -> float:
        """Seconds a ``watch`` callback may take after another storage's write."""
        return 5.0


# --- the change feed -----------------------------------------------------------------


class ChangeFeedContract(_Suite):
    """What a :class:`~jobify.storage.ChangeFeed` promises: others' writes, never its own."""

    async def test_is_a_change_feed(self, make_storage: Callable[[], Any]) -> None:
        assert isinstance(make_storage(), ChangeFeed)

    async def test_another_storages_writes_are_reported_once(
        self, make_storage: Callable[[], Any]
    ) -> None:
        async with _started(make_storage, 2) as (scheduler, producer):
            cursor = await scheduler.cursor()
            x, y = row("x", minutes=1, message=b"\x00x"), row("y", minutes=2)
            await producer.add_schedule(x, y)
            changes = await scheduler.changes(cursor)
            assert isinstance(changes, RowChanges)
            assert sorted(_ids(changes.changed)) == ["x", "y"]
            assert list(changes.deleted) == []
            by_id = {s.row.job_id: s for s in changes.changed}
            _same_row(by_id["x"].row, x)
            _same_row(by_id["y"].row, y)
            assert not by_id["x"].paused and not by_id["x"].run_requested
            assert by_id["x"].set_aside is None
            again = await scheduler.changes(changes.cursor)
            assert (list(again.changed), list(again.deleted)) == ([], []), "reported twice"

    async def test_own_writes_are_never_reported(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage, 2) as (scheduler, producer):
            await producer.add_schedule(row("old"))
            cursor = await scheduler.cursor()
            await scheduler.add_schedule(row("x"))
            await scheduler.delete_schedule("old")
            mine = await scheduler.changes(cursor)
            assert (list(mine.changed), list(mine.deleted)) == ([], [])
            theirs = await producer.changes(cursor)
            assert _ids(theirs.changed) == ["x"]
            assert list(theirs.deleted) == ["old"]

    async def test_a_delete_is_reported_as_deleted(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage, 2) as (scheduler, operator):
            await operator.add_schedule(row("x"), row("kept"))
            cursor = await scheduler.cursor()
            await operator.delete_schedule("x")
            await operator.add_schedule(row("brief"))
            await operator.delete_schedule_many(["brief", "never-stored"])
            changes = await scheduler.changes(cursor)
            assert "x" in changes.deleted
            assert "never-stored" not in changes.deleted
            assert not {"x", "brief"} & set(_ids(changes.changed))

    async def test_a_row_stored_again_after_a_delete_is_changed(
        self, make_storage: Callable[[], Any]
    ) -> None:
        async with _started(make_storage, 2) as (scheduler, producer):
            await producer.add_schedule(row("x"))
            cursor = await scheduler.cursor()
            await producer.delete_schedule("x")
            await producer.add_schedule(row("x", minutes=9))
            changes = await scheduler.changes(cursor)
            assert _ids(changes.changed) == ["x"]
            assert changes.changed[0].row.next_run_at == T0 + timedelta(minutes=9)
            assert "x" not in changes.deleted

    async def test_each_id_is_reported_once(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage, 2) as (scheduler, producer):
            await producer.add_schedule(row("d"))
            cursor = await scheduler.cursor()
            for minutes in range(3):
                await producer.add_schedule(row("x", minutes=minutes))
            await producer.delete_schedule("d")
            await producer.add_schedule(row("d"))
            await producer.delete_schedule("d")
            changes = await scheduler.changes(cursor)
            assert _ids(changes.changed) == ["x"]
            assert changes.changed[0].row.next_run_at == T0 + timedelta(minutes=2), "not the last"
            assert list(changes.deleted) == ["d"]

    async def test_a_pause_is_reported_after_the_owner_rewrites_the_row(
        self, make_storage: Callable[[], Any]
    ) -> None:
        """An operator pauses a job; the scheduler then stores the job's next run itself.

        The pause must still reach the scheduler: the flag stays on the row and
        its change is reported, although the scheduler wrote the row last.
        """
        if not isinstance(make_storage(), ControlStorage):
            pytest.skip("not a ControlStorage")
        async with _started(make_storage, 2) as (scheduler, operator):
            await scheduler.add_schedule(row("cron", minutes=1), row("other", minutes=1))
            cursor = await scheduler.cursor()
            assert await operator.set_paused("cron", paused=True)
            assert await operator.request_run("other")
            await scheduler.add_schedule(row("cron", minutes=2), row("other", minutes=2))
            changes = await scheduler.changes(cursor)
            by_id = {s.row.job_id: s for s in changes.changed}
            assert set(by_id) == {"cron", "other"}
            assert by_id["cron"].paused
            assert by_id["cron"].row.next_run_at == T0 + timedelta(minutes=2)
            assert by_id["other"].run_requested

    async def test_a_delete_wins_over_a_write_made_without_knowing_of_it(
        self, make_storage: Callable[[], Any]
    ) -> None:
        """``jobify jobs cancel`` lands just as a run of the cron job ends and stores its next run.

        The reader (it called ``cursor()``) must not store the row again before
        it has read the delete; once read, the id may be stored again.
        """
        async with _started(make_storage, 2) as (scheduler, operator):
            await scheduler.add_schedule(row("cron", minutes=1))
            cursor = await scheduler.cursor()
            await operator.delete_schedule("cron")
            await scheduler.add_schedule(row("cron", minutes=2))  # the run's end
            assert "cron" not in await StorageRows.ids(operator), "the cancel was undone"
            changes = await scheduler.changes(cursor)
            assert list(changes.deleted) == ["cron"]
            assert "cron" not in _ids(changes.changed)
            await scheduler.add_schedule(row("cron", minutes=3))  # heard of it: allowed again
            assert "cron" in await StorageRows.ids(operator)

    async def test_a_storage_that_reads_no_feed_stores_any_id_again(
        self, make_storage: Callable[[], Any]
    ) -> None:
        """A producer (it never calls ``cursor()``) may reuse the id of a job that ended."""
        async with _started(make_storage, 2) as (scheduler, producer):
            await scheduler.cursor()
            await producer.add_schedule(row("daily"))
            await scheduler.delete_schedule("daily")  # it ran and ended
            await producer.add_schedule(row("daily", minutes=1440))
            assert "daily" in await StorageRows.ids(scheduler)

    async def test_finished_jobs_are_reported_as_deleted(
        self, make_storage: Callable[[], Any]
    ) -> None:
        if not isinstance(make_storage(), ResultStorage):
            pytest.skip("not a ResultStorage")
        async with _started(make_storage, 2) as (scheduler, operator):
            await scheduler.add_schedule(row("x"))
            cursor = await scheduler.cursor()
            await operator.finish_jobs(outcome("x", status=JobStatus.CANCELLED, result=None))
            changes = await scheduler.changes(cursor)
            assert list(changes.deleted) == ["x"]

    async def test_every_write_of_a_busy_writer_is_reported(
        self, make_storage: Callable[[], Any]
    ) -> None:
        """A reader that reads while another storage writes misses nothing and repeats nothing."""
        async with _started(make_storage, 2) as (scheduler, producer):
            cursor = await scheduler.cursor()
            seen: list[str] = []
            writing = asyncio.gather(
                *(producer.add_schedule(row(f"j{i:03}")) for i in range(200)),
            )
            while not writing.done():
                changes = await scheduler.changes(cursor)
                seen += _ids(changes.changed)
                cursor = changes.cursor
                await asyncio.sleep(0)
            await writing
            seen += _ids((await scheduler.changes(cursor)).changed)
            assert sorted(seen) == [f"j{i:03}" for i in range(200)]

    async def test_watch_calls_back_on_the_loop_after_another_storages_write(
        self, make_storage: Callable[[], Any], feed_timeout: float
    ) -> None:
        loop = asyncio.get_running_loop()
        called = asyncio.Event()
        threads: list[int] = []

        def on_change() -> None:
            threads.append(threading.get_ident())
            assert asyncio.get_running_loop() is loop
            called.set()

        async with _started(make_storage, 2) as (scheduler, producer):
            cursor = await scheduler.cursor()
            scheduler.watch(on_change)
            await asyncio.sleep(0.05)
            called.clear()  # a call may come with nothing new; the next one must come
            await producer.add_schedule(row("x"))
            async with asyncio.timeout(feed_timeout):
                await called.wait()
            assert set(threads) == {threading.get_ident()}, "called off the loop's thread"
            assert _ids((await scheduler.changes(cursor)).changed) == ["x"]

    async def test_the_cursor_is_kept_across_a_restart(
        self, make_storage: Callable[[], Any]
    ) -> None:
        async with _started(make_storage) as (first,):
            await first.add_schedule(row("x"))
            await first.delete_schedule("x")
            await first.add_schedule(row("y"))
            before = await first.cursor()
        async with _started(make_storage) as (second,):
            after = await second.cursor()
            assert after >= before
            changes = await second.changes(after)
            assert (list(changes.changed), list(changes.deleted)) == ([], [])


# --- control -------------------------------------------------------------------------


class ControlStorageContract(_Suite):
    """What a :class:`~jobify.storage.ControlStorage` promises: flags with the row, pages by key."""

    async def test_is_a_control_storage(self, make_storage: Callable[[], Any]) -> None:
        assert isinstance(make_storage(), ControlStorage)

    async def test_pause_and_resume_round_trip_and_survive_a_restart(
        self, make_storage: Callable[[], Any]
    ) -> None:
        async with _started(make_storage) as (first,):
            await first.add_schedule(row("x"), row("y"))
            assert await first.set_paused("x", paused=True) is True
            assert (await first.get_stored_job("x")).paused
            assert not (await first.get_stored_job("y")).paused
        async with _started(make_storage, 2) as (second, other):
            assert (await second.get_stored_job("x")).paused, "the pause was not kept"
            flags = {s.row.job_id: s.paused for s in await second.get_stored_jobs()}
            assert flags == {"x": True, "y": False}
            assert await other.set_paused("x", paused=False) is True
            assert not (await second.get_stored_job("x")).paused

    async def test_a_missing_job_is_not_found(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage) as (storage,):
            assert await storage.set_paused("nope", paused=True) is False
            assert await storage.request_run("nope") is False
            assert await storage.get_stored_job("nope") is None
            assert await storage.get_stored_jobs() == []

    async def test_run_requests_are_kept_until_cleared(
        self, make_storage: Callable[[], Any]
    ) -> None:
        async with _started(make_storage, 2) as (scheduler, operator):
            await scheduler.add_schedule(row("x"))
            assert await operator.request_run("x") is True
            stored = await scheduler.get_stored_job("x")
            assert stored.run_requested and not stored.paused
            assert await scheduler.request_run("x", requested=False) is True
            assert not (await operator.get_stored_job("x")).run_requested

    async def test_storing_a_row_again_keeps_its_flags(
        self, make_storage: Callable[[], Any]
    ) -> None:
        """The scheduler re-stores a paused cron job (its next run): it stays paused."""
        async with _started(make_storage) as (storage,):
            await storage.add_schedule(row("x", message=b"1"))
            await storage.set_paused("x", paused=True)
            await storage.request_run("x")
            await storage.add_schedule(row("x", minutes=5, message=b"2"))
            stored = await storage.get_stored_job("x")
            assert stored.paused and stored.run_requested
            _same_row(stored.row, row("x", minutes=5, message=b"2"))

    async def test_a_deleted_row_takes_its_flags_along(
        self, make_storage: Callable[[], Any]
    ) -> None:
        async with _started(make_storage) as (storage,):
            await storage.add_schedule(row("x"))
            await storage.set_paused("x", paused=True)
            await storage.request_run("x")
            await storage.delete_schedule("x")
            assert await storage.get_stored_job("x") is None
            await storage.add_schedule(row("x"))
            stored = await storage.get_stored_job("x")
            assert not stored.paused and not stored.run_requested

    async def test_set_aside_rows_are_listed_not_restored(
        self, make_storage: Callable[[], Any]
    ) -> None:
        if not isinstance(make_storage(), SetAsideStorage):
            pytest.skip("not a SetAsideStorage")
        async with _started(make_storage) as (storage,):
            await storage.add_schedule(row("bad"), row("good"))
            await storage.set_aside("bad", "no task named 'mod:task'")
            assert _ids(await storage.get_stored_jobs()) == ["good"]
            aside = await storage.get_stored_job("bad")
            assert aside.set_aside == "no task named 'mod:task'"
            assert _ids(await storage.list_jobs()) == ["bad", "good"]
            assert _ids(await storage.list_jobs(status="set aside")) == ["bad"]

    async def test_keyset_pages_cover_every_row_once(self, make_storage: Callable[[], Any]) -> None:
        ids = [f"job-{i:03}" for i in range(53)] + ["A", "Z-last", "a", "job-", "job-0"]
        async with _started(make_storage) as (storage,):
            await storage.add_schedule(*(row(job_id) for job_id in reversed(ids)))
            pages: list[list[str]] = []
            after: str | None = None
            while page := _ids(await storage.list_jobs(after=after, limit=7)):
                assert len(page) <= 7
                assert after is None or page[0] > after, f"page after {after!r}: {page[0]!r}"
                assert len(pages) < len(ids), "more pages than rows: pages do not move on"
                pages.append(page)
                after = page[-1]
            listed = [job_id for page in pages for job_id in page]
            assert listed == sorted(ids), "pages are not every row once, in id order"
            assert all(len(page) == 7 for page in pages[:-1])
            assert _ids(await storage.list_jobs(limit=1000)) == sorted(ids)
            assert _ids(await storage.list_jobs(after="job-050", limit=3)) == ["job-051", "job-052"]
            assert _ids(await storage.list_jobs(after="Z-last", limit=2)) == ["a", "job-"]

    async def test_list_filters_by_task_status_and_search(
        self, make_storage: Callable[[], Any]
    ) -> None:
        running = ScheduledJob("r1", "report", b"m", JobStatus.RUNNING, T0)
        async with _started(make_storage) as (storage,):
            await storage.add_schedule(
                row("s1", name="report"), row("s2", name="cleanup"), row("p1", name="report"),
                row("p2", name="cleanup"), running,
            )  # fmt: skip
            await storage.set_paused("p1", paused=True)
            await storage.set_paused("p2", paused=True)
            assert _ids(await storage.list_jobs(task="report")) == ["p1", "r1", "s1"]
            assert _ids(await storage.list_jobs(status="paused")) == ["p1", "p2"]
            assert _ids(await storage.list_jobs(status="scheduled")) == ["s1", "s2"]
            assert _ids(await storage.list_jobs(status="running")) == ["r1"]
            assert _ids(await storage.list_jobs(status="paused", task="cleanup")) == ["p2"]
            assert _ids(await storage.list_jobs(status="paused", after="p1")) == ["p2"]
            assert _ids(await storage.list_jobs(search="1")) == ["p1", "r1", "s1"]
            assert _ids(await storage.list_jobs(search="clean")) == ["p2", "s2"]
            assert _ids(await storage.list_jobs(search="nothing")) == []

    async def test_search_is_literal_and_case_sensitive(
        self, make_storage: Callable[[], Any]
    ) -> None:
        async with _started(make_storage) as (storage,):
            await storage.add_schedule(
                row("50%_off"), row("50x-off"), row("ABC"), row("q'uote", name="t\\x")
            )
            assert _ids(await storage.list_jobs(search="%")) == ["50%_off"]
            assert _ids(await storage.list_jobs(search="_")) == ["50%_off"]
            assert _ids(await storage.list_jobs(search="abc")) == []
            assert _ids(await storage.list_jobs(search="ABC")) == ["ABC"]
            assert _ids(await storage.list_jobs(search="'")) == ["q'uote"]
            assert _ids(await storage.list_jobs(search="\\")) == ["q'uote"]


# --- run history ---------------------------------------------------------------------


class HistoryStorageContract(_Suite):
    """What a :class:`~jobify.storage.HistoryStorage` promises: every run, newest first, trimmed."""

    async def test_is_a_history_storage(self, make_storage: Callable[[], Any]) -> None:
        assert isinstance(make_storage(), HistoryStorage)

    async def test_runs_come_back_newest_first_as_recorded(
        self, make_storage: Callable[[], Any]
    ) -> None:
        records = [
            run("a", 1),
            run("b", 2, status=JobStatus.FAILED, error="ValueError: no"),
            run("a", 3, summary="'done'"),
        ]
        async with _started(make_storage, 2) as (scheduler, reader):
            await scheduler.record_runs(records[0])
            await scheduler.record_runs(*records[1:])
            got = await reader.get_runs()
            assert [r for _, r in got] == records[::-1]
            run_ids = [i for i, _ in got]
            assert run_ids == sorted(run_ids, reverse=True) and len(set(run_ids)) == 3
            for _, record in got:
                assert record.finished_at.utcoffset() is not None
                assert JobStatus(record.status) is record.status

    async def test_runs_of_one_job_page_by_id(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage) as (storage,):
            for minute in range(30):
                await storage.record_runs(run(("a", "b", "c")[minute % 3], minute))
            listed: list[int] = []
            before: int | None = None
            while page := await storage.get_runs(job_id="a", before=before, limit=4):
                assert len(page) <= 4
                assert len(listed) < 30, "pages do not move on"
                assert all(record.job_id == "a" for _, record in page)
                listed += [_minutes(record) for _, record in page]
                before = page[-1][0]
            assert listed == list(range(27, -1, -3))
            assert len(await storage.get_runs(limit=1000)) == 30
            assert len(await storage.get_runs(limit=5)) == 5

    async def test_failed_only_keeps_runs_that_did_not_succeed(
        self, make_storage: Callable[[], Any]
    ) -> None:
        statuses = [JobStatus.SUCCESS, JobStatus.FAILED, JobStatus.TIMEOUT, JobStatus.CANCELLED]
        async with _started(make_storage) as (storage,):
            await storage.record_runs(*(run("a", i, status=s) for i, s in enumerate(statuses)))
            failed = await storage.get_runs(failed_only=True)
            assert [r.status for _, r in failed] == statuses[:0:-1]
            assert await storage.get_runs(job_id="other", failed_only=True) == []

    async def test_trim_by_age(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage) as (storage,):
            await storage.record_runs(*(run(f"j{i % 2}", i) for i in range(10)))
            dropped = await storage.trim_runs(older_than=T0 + timedelta(minutes=4))
            assert dropped == 4
            left = sorted(r.finished_at for _, r in await storage.get_runs(limit=100))
            assert left == [T0 + timedelta(minutes=i) for i in range(4, 10)]
            assert await storage.trim_runs(older_than=T0) == 0

    async def test_trim_by_count_per_job(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage) as (storage,):
            await storage.record_runs(*(run("busy", i) for i in range(10)))
            await storage.record_runs(*(run("quiet", 20 + i) for i in range(3)))
            dropped = await storage.trim_runs(keep_per_job=4)
            assert dropped == 6
            busy = [r.finished_at for _, r in await storage.get_runs(job_id="busy", limit=100)]
            assert busy == [T0 + timedelta(minutes=i) for i in (9, 8, 7, 6)]
            assert len(await storage.get_runs(job_id="quiet", limit=100)) == 3
            assert await storage.trim_runs() == 0

    async def test_trim_by_age_and_count_at_once(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage) as (storage,):
            await storage.record_runs(*(run("a", i) for i in range(10)))
            dropped = await storage.trim_runs(older_than=T0 + timedelta(minutes=8), keep_per_job=5)
            assert dropped == 8
            assert [_minutes(r) for _, r in await storage.get_runs()] == [9, 8]

    async def test_run_ids_keep_growing_after_a_trim(self, make_storage: Callable[[], Any]) -> None:
        """A dashboard pages with ``before``: an id is never given to two runs."""
        async with _started(make_storage) as (storage,):
            await storage.record_runs(run("a", 1), run("a", 2), run("a", 3))
            seen = {i for i, _ in await storage.get_runs()}
            await storage.trim_runs(keep_per_job=1)
            await storage.record_runs(run("a", 4))
            [(newest, _), _] = await storage.get_runs()
            assert newest > max(seen)

    async def test_runs_survive_a_restart(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage) as (first,):
            await first.record_runs(run("a", 1), run("b", 2, status=JobStatus.TIMEOUT))
        async with _started(make_storage) as (second,):
            got = [r for _, r in await second.get_runs()]
            assert got == [run("b", 2, status=JobStatus.TIMEOUT), run("a", 1)]

    async def test_long_texts_are_bounded(self, make_storage: Callable[[], Any]) -> None:
        long_error = "E" * 100_000
        record = run("a", status=JobStatus.FAILED, error=long_error)
        ok = run("b", summary="s" * 100_000)
        async with _started(make_storage) as (storage,):
            await storage.record_runs(record, ok)
            by_job = {r.job_id: r for _, r in await storage.get_runs()}
            kept = by_job["a"].error_message
            assert kept is not None and 0 < len(kept) <= ERROR_LIMIT
            assert long_error.startswith(kept)
            summary = by_job["b"].result_summary
            assert summary is not None and 0 < len(summary) <= SUMMARY_LIMIT

    async def test_concurrent_records_all_land(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage) as (storage,):
            await asyncio.gather(*(storage.record_runs(run(f"j{i}", i % 50)) for i in range(300)))
            assert len(await storage.get_runs(limit=1000)) == 300


# --- kept outcomes -------------------------------------------------------------------


class ResultStorageContract(_Suite):
    """What a :class:`~jobify.storage.ResultStorage` promises: rows become outcomes in one write."""

    async def test_is_a_result_storage(self, make_storage: Callable[[], Any]) -> None:
        assert isinstance(make_storage(), ResultStorage)

    async def test_finishing_replaces_rows_by_outcomes(
        self, make_storage: Callable[[], Any]
    ) -> None:
        ok = outcome("x", result=b"\x00\xff binary")
        failed = outcome("y", status=JobStatus.FAILED, result=None, error="ValueError: no")
        async with _started(make_storage, 2) as (scheduler, producer):
            await scheduler.add_schedule(row("x"), row("y"), row("z"))
            await scheduler.finish_jobs(ok, failed)
            assert [r.job_id for r in await scheduler.get_schedules()] == ["z"]
            assert await producer.get_outcome("x") == ok
            assert await producer.get_outcome("y") == failed
            assert await producer.get_outcome("z") is None
            got = await producer.get_outcome("x")
            assert got.finished_at.utcoffset() is not None
            assert JobStatus(got.status) is got.status
        async with _started(make_storage) as (after,):
            assert await after.get_outcome("x") == ok
            assert [r.job_id for r in await after.get_schedules()] == ["z"]

    async def test_finish_jobs_is_all_or_nothing(self, make_storage: Callable[[], Any]) -> None:
        """One bad outcome in the call: nothing is deleted and nothing is kept."""
        bad = JobOutcome("y", "mod:task", JobStatus.SUCCESS, b"1", None, "yesterday")  # type: ignore[arg-type]
        async with _started(make_storage) as (storage,):
            await storage.add_schedule(row("x"), row("y"))
            with pytest.raises((TypeError, ValueError)):
                await storage.finish_jobs(outcome("x"), bad)
            assert sorted(r.job_id for r in await storage.get_schedules()) == ["x", "y"]
            assert await storage.get_outcome("x") is None
            assert await storage.get_outcome("y") is None

    async def test_an_outcome_is_kept_without_a_row(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage) as (storage,):
            await storage.finish_jobs(outcome("gone", result=None, status=JobStatus.CANCELLED))
            assert (await storage.get_outcome("gone")).status is JobStatus.CANCELLED

    async def test_a_later_outcome_replaces_an_earlier_one(
        self, make_storage: Callable[[], Any]
    ) -> None:
        async with _started(make_storage) as (storage,):
            await storage.finish_jobs(outcome("x", 1, result=b"1"))
            await storage.finish_jobs(outcome("x", 2, result=b"2"))
            assert await storage.get_outcome("x") == outcome("x", 2, result=b"2")

    async def test_results_are_kept_byte_for_byte(self, make_storage: Callable[[], Any]) -> None:
        results = {"empty": b"", "binary": bytes(range(256)) * 64, "none": None}
        async with _started(make_storage) as (storage,):
            await storage.finish_jobs(*(outcome(k, result=v) for k, v in results.items()))
            for job_id, result in results.items():
                got = await storage.get_outcome(job_id)
                assert got is not None and got.result == result, job_id

    async def test_purge_drops_outcomes_finished_before(
        self, make_storage: Callable[[], Any]
    ) -> None:
        async with _started(make_storage) as (storage,):
            await storage.finish_jobs(*(outcome(f"o{i}", i) for i in range(6)))
            assert await storage.purge_outcomes(T0 + timedelta(minutes=3)) == 3
            kept = [i for i in range(6) if await storage.get_outcome(f"o{i}") is not None]
            assert kept == [3, 4, 5]
            assert await storage.purge_outcomes(T0) == 0

    async def test_concurrent_finishes_all_land(self, make_storage: Callable[[], Any]) -> None:
        async with _started(make_storage) as (storage,):
            await storage.add_schedule(*(row(f"j{i}") for i in range(200)))
            await asyncio.gather(*(storage.finish_jobs(outcome(f"j{i}")) for i in range(200)))
            assert await storage.get_schedules() == []
            found = await asyncio.gather(*(storage.get_outcome(f"j{i}") for i in range(200)))
            assert all(o is not None for o in found)


class OperationsStorageContract(
    ChangeFeedContract, ControlStorageContract, HistoryStorageContract, ResultStorageContract
):
    """All four suites, for a storage with every ability (SQLite, the in-memory storage)."""
