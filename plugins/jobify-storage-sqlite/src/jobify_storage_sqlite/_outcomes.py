"""Kept outcomes: the result or error of a finished job, kept for a while after its row.

Finishing a job deletes its row (leaving a tombstone for the change feed, as
every delete does) and keeps its outcome in ``<table_name>_outcomes``, in one
transaction. An outcome replaces an earlier one of the same job; old ones
are purged by the time they finished.
This is the ``ResultStorage`` ability of
:class:`~jobify_storage_sqlite.storage.SQLiteStorage`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from jobify.storage import JobOutcome, checked_aware
from jobify_storage_sqlite._jobs import Jobs
from jobify_storage_sqlite._rows import iso, outcome_from, outcome_params
from jobify_storage_sqlite._runner import Tally
from jobify_storage_sqlite._schema import Names
from jobify_storage_sqlite._worker import Worker

__all__ = ("Outcomes",)


class Outcomes:
    """The kept outcomes of one storage, through its worker; deleting rows through its jobs."""

    def __init__(self, worker: Worker, jobs: Jobs) -> None:
        self.worker = worker
        self.jobs = jobs
        self._keep: tuple[Names, str] | None = None

    async def finish(self, outcomes: Sequence[JobOutcome]) -> None:
        """Delete the rows of the ``outcomes``' jobs and keep the outcomes, in one transaction."""
        where = f"{self.worker.where}.finish_jobs()"
        params = [outcome_params(outcome, where) for outcome in outcomes]
        ids = [(p[0],) for p in params]
        delete = self.jobs.deleter()
        sql = self._keep_sql()

        def write(conn: sqlite3.Connection, tally: Tally) -> None:
            delete(conn, tally, ids)
            conn.executemany(sql, params)

        if not params:
            self.worker.check_running("finish_jobs")
            return
        await self.worker.call("finish_jobs", write, writes=True)

    def _keep_sql(self) -> str:
        """The upsert of kept outcomes, made once per table name."""
        names = self.worker.names
        if self._keep is None or self._keep[0] is not names:
            sql = (
                f"INSERT INTO {names.outcomes} "  # noqa: S608
                "(job_id, name, status, result, error, finished_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (job_id) DO UPDATE SET name = excluded.name, "
                "status = excluded.status, result = excluded.result, error = excluded.error, "
                "finished_at = excluded.finished_at"
            )
            self._keep = (names, sql)
        return self._keep[1]

    async def get(self, job_id: str) -> JobOutcome | None:
        """The kept outcome of ``job_id``, or None."""
        if not self.worker.layout().outcomes:
            self.worker.check_running("get_outcome")
            return None
        sql = (
            "SELECT job_id, name, status, result, error, finished_at "  # noqa: S608
            f"FROM {self.worker.names.outcomes} WHERE job_id = ?"
        )

        def read(conn: sqlite3.Connection, tally: Tally) -> JobOutcome | None:
            raw = conn.execute(sql, (job_id,)).fetchone()
            return None if raw is None else outcome_from(raw)

        found: JobOutcome | None = await self.worker.call("get_outcome", read, writes=False)
        return found

    async def purge(self, finished_before: datetime) -> int:
        """Drop the outcomes of jobs finished before ``finished_before``; return how many."""
        where = f"{self.worker.where}.purge_outcomes()"
        cutoff = iso(checked_aware(where, "finished_before", finished_before))
        sql = f"DELETE FROM {self.worker.names.outcomes} WHERE finished_at < ?"  # noqa: S608

        def purge(conn: sqlite3.Connection, tally: Tally) -> int:
            return int(conn.execute(sql, (cutoff,)).rowcount)

        if not self.worker.layout().outcomes:
            self.worker.check_running("purge_outcomes")
            return 0
        dropped: int = await self.worker.call("purge_outcomes", purge, writes=True)
        return dropped
