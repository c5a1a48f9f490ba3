"""MemoryStorage passes the operations suites, and the suites catch storages that get them wrong."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from jobify.storage import RowChanges, ScheduledJob
from jobify.testing.contracts import (
    ChangeFeedContract,
    ControlStorageContract,
    HistoryStorageContract,
    OperationsStorageContract,
    ResultStorageContract,
)
from jobify.testing.memory import MemoryDatabase, MemoryStorage


class TestMemoryStorageOperations(OperationsStorageContract):
    """jobify.testing.memory.MemoryStorage, the reference implementation, passes every suite."""

    @pytest.fixture
    def make_storage(self) -> Callable[[], MemoryStorage]:
        database = MemoryDatabase()
        return lambda: MemoryStorage(database=database)


# --- broken storages: each suite must fail them --------------------------------------


class EchoingFeed(MemoryStorage):
    """The bug: the change feed reports this storage's own writes back to it."""

    async def changes(self, cursor: int) -> RowChanges:
        token, self.token = self.token, "nobody"
        try:
            return await super().changes(cursor)
        finally:
            self.token = token


class ForgetfulPause(MemoryStorage):
    """The bug: storing a row again clears its pause (a paused cron job runs again)."""

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        await super().add_schedule(*scheduled)
        for row in scheduled:
            self.database.paused.discard(row.job_id)


class OffByOnePages(MemoryStorage):
    """The bug: a page starts at ``after`` itself, so each boundary row is listed twice."""

    async def list_jobs(self, *, after: str | None = None, **kwargs: Any) -> Sequence[Any]:
        before = None if after is None else after[:-1] + chr(ord(after[-1]) - 1) + "\U0010ffff"
        return await super().list_jobs(after=before, **kwargs)


class UntrimmedHistory(MemoryStorage):
    """The bug: trimming by count per job is ignored."""

    async def trim_runs(self, *, older_than: Any = None, keep_per_job: int | None = None) -> int:
        return await super().trim_runs(older_than=older_than)


class HalfFinished(MemoryStorage):
    """The bug: finish_jobs keeps the outcomes but leaves the rows (jobs would run again)."""

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        return None


def factory(cls: type[MemoryStorage]) -> Callable[[], MemoryStorage]:
    database = MemoryDatabase()
    return lambda: cls(database=database)


@pytest.mark.parametrize(
    ("suite", "test", "broken"),
    [
        (ChangeFeedContract, "test_own_writes_are_never_reported", EchoingFeed),
        (ControlStorageContract, "test_storing_a_row_again_keeps_its_flags", ForgetfulPause),
        (ChangeFeedContract, "test_a_pause_is_reported_after_the_owner_rewrites_the_row",
         ForgetfulPause),
        (ControlStorageContract, "test_keyset_pages_cover_every_row_once", OffByOnePages),
        (HistoryStorageContract, "test_trim_by_count_per_job", UntrimmedHistory),
        (ResultStorageContract, "test_finishing_replaces_rows_by_outcomes", HalfFinished),
    ],
    ids=["echoing-feed", "forgetful-pause", "forgetful-pause-feed", "off-by-one-pages",
         "untrimmed-history", "half-finished"],
)  # fmt: skip
async def test_the_suites_catch_a_broken_storage(
    suite: type[Any], test: str, broken: type[MemoryStorage]
) -> None:
    with pytest.raises(AssertionError):
        await getattr(suite(), test)(factory(broken))
