"""The storage contract: where durable jobs live between scheduling and the end.

A storage plugin distribution implements :class:`Storage` and registers it with
the ``jobify_register_storages`` hook. The kernel calls it only for durable
jobs: ``add_schedule`` when a job is scheduled or a cron job advances,
``delete_schedule`` when a job ends, ``get_schedules`` once at startup.
``SQLiteStorage`` comes from the ``jobify-storage-sqlite`` distribution and is
importable from here when that is installed.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from jobify._assembly.seed import seed_getattr, seed_names

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from jobify._kernel.values import JobStatus

__all__ = ("ScheduledJob", "Storage", *seed_names(__name__))  # seed names resolve lazily


class ScheduledJob(NamedTuple):
    """One stored job: its id, task name, encoded message, status and next run."""

    job_id: str
    name: str
    message: bytes
    status: JobStatus
    next_run_at: datetime


@runtime_checkable
class Storage(Protocol):
    """Persistence for durable jobs.

    Implementations must be safe to call concurrently from one event loop and
    must never block it: blocking I/O belongs on the storage's own thread.
    ``add_schedule`` replaces a row with the same ``job_id`` (upsert) and
    returns only once the rows are durable.
    """

    @abstractmethod
    async def startup(self) -> None:
        """Open connections and create the schema; called once at app startup."""

    @abstractmethod
    async def shutdown(self) -> None:
        """Flush pending writes and close; called once at app shutdown."""

    @abstractmethod
    async def get_schedules(self) -> Sequence[ScheduledJob]:
        """Return every stored job, for restore at startup and ``jobify jobs``."""

    @abstractmethod
    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        """Insert or replace ``scheduled`` rows, returning once they are durable."""

    @abstractmethod
    async def delete_schedule(self, job_id: str) -> None:
        """Remove the row of ``job_id``; a missing row is not an error."""

    @abstractmethod
    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        """Remove the rows of ``job_ids``; missing rows are not an error."""


def __getattr__(name: str) -> Any:
    return seed_getattr(__name__, name)
