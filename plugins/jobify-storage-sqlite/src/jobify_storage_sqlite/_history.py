"""Run history: one record per run of a job, kept beside the jobs table.

Records are written in the next write batch, with whatever else that loop
turn wrote (no transaction of their own). They are read newest first, paged
by run id, and trimmed by age and by a count per job; both read an index.
This is the ``HistoryStorage`` ability of
:class:`~jobify_storage_sqlite.storage.SQLiteStorage`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jobify import JobStatus
from jobify.storage import RunRecord, checked_aware
from jobify_storage_sqlite._rows import iso, run_from, run_params
from jobify_storage_sqlite._runner import Tally
from jobify_storage_sqlite._worker import Worker

__all__ = ("History",)


class History:
    """The run history of one storage, through its worker."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    async def record(self, runs: Sequence[RunRecord]) -> None:
        """Keep ``runs``, checked before anything is queued, in the next write batch."""
        where = f"{self.worker.where}.record_runs()"
        params = [run_params(run, where) for run in runs]
        sql = (
            f"INSERT INTO {self.worker.names.runs} (job_id, task, planned_at, "  # noqa: S608
            "started_at, finished_at, status, attempt, node, error_type, error_message, "
            "result_summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )

        def write(conn: sqlite3.Connection, tally: Tally) -> None:
            conn.executemany(sql, params)

        if not params:
            self.worker.check_running("record_runs")
            return
        await self.worker.call("record_runs", write, writes=True)

    async def get(
        self,
        *,
        job_id: str | None = None,
        before: int | None = None,
        limit: int = 50,
        failed_only: bool = False,
    ) -> list[tuple[int, RunRecord]]:
        """Runs newest first with their ids: of one job or all, before the id ``before``."""
        if not self.worker.layout().runs:
            self.worker.check_running("get_runs")
            return []
        clauses: list[str] = []
        params: list[Any] = []
        if job_id is not None:
            clauses.append("job_id = ?")
            params.append(job_id)
        if before is not None:
            clauses.append("run_id < ?")
            params.append(before)
        if failed_only:
            clauses.append("status != ?")
            params.append(JobStatus.SUCCESS.value)
        where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
        sql = (
            "SELECT run_id, job_id, task, planned_at, started_at, finished_at, status, "  # noqa: S608
            "attempt, node, error_type, error_message, result_summary "
            f"FROM {self.worker.names.runs} {where}ORDER BY run_id DESC LIMIT ?"
        )
        params.append(limit)

        def read(conn: sqlite3.Connection, tally: Tally) -> list[tuple[int, RunRecord]]:
            return [run_from(raw) for raw in conn.execute(sql, params)]

        runs: list[tuple[int, RunRecord]] = await self.worker.call("get_runs", read, writes=False)
        return runs

    async def trim(
        self, *, older_than: datetime | None = None, keep_per_job: int | None = None
    ) -> int:
        """Drop old runs and all but each job's newest ``keep_per_job``; return how many."""
        where = f"{self.worker.where}.trim_runs()"
        cutoff = None if older_than is None else iso(checked_aware(where, "older_than", older_than))
        if keep_per_job is not None and (
            isinstance(keep_per_job, bool) or not isinstance(keep_per_job, int) or keep_per_job < 0
        ):
            msg = f"{where}: keep_per_job must be an int >= 0 or None, got {keep_per_job!r}"
            raise ValueError(msg)
        runs = self.worker.names.runs

        def trim(conn: sqlite3.Connection, tally: Tally) -> int:
            dropped = 0
            if cutoff is not None:
                dropped += conn.execute(
                    f"DELETE FROM {runs} WHERE finished_at < ?",  # noqa: S608
                    (cutoff,),
                ).rowcount
            if keep_per_job is not None:
                crowded = conn.execute(
                    f"SELECT job_id FROM {runs} GROUP BY job_id HAVING count(*) > ?",  # noqa: S608
                    (keep_per_job,),
                ).fetchall()
                for (job,) in crowded:
                    dropped += conn.execute(
                        f"DELETE FROM {runs} WHERE job_id = ? AND run_id NOT IN ("  # noqa: S608
                        f"SELECT run_id FROM {runs} WHERE job_id = ? "
                        "ORDER BY run_id DESC LIMIT ?)",
                        (job, job, keep_per_job),
                    ).rowcount
            return dropped

        if not self.worker.layout().runs:
            self.worker.check_running("trim_runs")
            return 0
        dropped: int = await self.worker.call("trim_runs", trim, writes=True)
        return dropped
