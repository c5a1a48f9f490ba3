"""An in-memory storage for tests of apps: durable jobs without a file.

Two apps given storages that share one ``rows`` dict see the same jobs, which
is how a test restarts an app (with :class:`~jobify.testing.clock.FakeClock`,
misfire policies included) without SQLite::

    rows: dict[str, ScheduledJob] = {}
    first = Jobify(storage=MemoryStorage(rows), serializer=...)
    ...
    second = Jobify(storage=MemoryStorage(rows), serializer=...)  # sees first's jobs
"""

from __future__ import annotations

from collections.abc import Sequence

from jobify.storage import ScheduledJob, Storage

__all__ = ("MemoryStorage",)


class MemoryStorage(Storage):
    """Stored rows in a dict; pass the same dict to share them between apps."""

    def __init__(self, rows: dict[str, ScheduledJob] | None = None) -> None:
        """Keep rows in ``rows`` (a new dict when None)."""
        self.rows: dict[str, ScheduledJob] = {} if rows is None else rows

    async def startup(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def get_schedules(self) -> Sequence[ScheduledJob]:
        """Every stored row."""
        return list(self.rows.values())

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        """Insert or replace rows."""
        for row in scheduled:
            self.rows[row.job_id] = row

    async def delete_schedule(self, job_id: str) -> None:
        """Remove one row; a missing one is fine."""
        self.rows.pop(job_id, None)

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        """Remove rows; missing ones are fine."""
        for job_id in job_ids:
            self.rows.pop(job_id, None)
