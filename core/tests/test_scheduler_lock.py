"""The kernel takes a SchedulerLock storage's lock once at startup, before restoring a job."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from jobify import Jobify
from jobify.exceptions import BaseJobifyError, SchedulerLockedError
from jobify.storage import ScheduledJob, SchedulerLock, Storage


class LockingStorage(Storage, SchedulerLock):
    """Records the order of the kernel's calls; refuses the lock when told to."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.calls: list[str] = []
        self.refuse = refuse

    async def startup(self) -> None:
        self.calls.append("startup")

    async def shutdown(self) -> None:
        self.calls.append("shutdown")

    async def lock_scheduler(self) -> None:
        self.calls.append("lock_scheduler")
        if self.refuse:
            msg = "test.db already has a scheduler: it is held by process 1"
            raise SchedulerLockedError(msg)

    async def get_schedules(self) -> Sequence[ScheduledJob]:
        self.calls.append("get_schedules")
        return ()

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        self.calls.append("add_schedule")

    async def delete_schedule(self, job_id: str) -> None:
        self.calls.append("delete_schedule")

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        self.calls.append("delete_schedule_many")


def test_the_error_is_a_jobify_error_and_a_runtime_error() -> None:
    assert issubclass(SchedulerLockedError, BaseJobifyError)
    assert issubclass(SchedulerLockedError, RuntimeError)


async def test_the_lock_is_taken_after_startup_and_before_restore(serializer: object) -> None:
    storage = LockingStorage()
    async with Jobify(storage=storage, serializer=serializer):
        pass
    assert storage.calls == ["startup", "lock_scheduler", "get_schedules", "shutdown"]


async def test_a_refused_lock_fails_startup_and_closes_the_storage(serializer: object) -> None:
    storage = LockingStorage(refuse=True)
    app = Jobify(storage=storage, serializer=serializer)
    ran: list[int] = []

    @app.task(name="t")
    async def t() -> None:
        ran.append(1)

    with pytest.raises(SchedulerLockedError, match="already has a scheduler"):
        await app.startup()
    assert storage.calls == ["startup", "lock_scheduler", "shutdown"]
    assert not app.configs.app_started
    assert ran == []


async def test_a_storage_without_the_ability_starts_as_before(
    serializer: object, storage: Storage
) -> None:
    assert not isinstance(storage, SchedulerLock)
    async with Jobify(storage=storage, serializer=serializer) as app:
        assert app.configs.app_started
