"""Operating a scheduler's jobs: the pause and run-now flags, and listing stored jobs.

The flags live in the job's own row (``paused``, ``run_requested``), so they
survive restarts and travel with the row. Setting one also logs an entry in
``<table_name>_changes``, so that the scheduler hears of it through the
change feed even after the row's owner rewrites the row. Listing pages by
job id (keyset pagination on the primary key), so a deep page costs what the
first one does. This is the ``ControlStorage`` ability of
:class:`~jobify_storage_sqlite.storage.SQLiteStorage`.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from jobify.storage import StoredJob
from jobify_storage_sqlite._rows import select_jobs, stored_job
from jobify_storage_sqlite._runner import Tally
from jobify_storage_sqlite._worker import Worker

__all__ = ("Control",)


class Control:
    """The control flags and the listing of one storage, through its worker."""

    def __init__(self, worker: Worker, token: int) -> None:
        self.worker = worker
        self.token = token  # this storage object, as the writer of the flags it sets

    async def set_flag(self, what: str, column: str, job_id: str, *, value: bool) -> bool:
        """Set the flag ``column`` of ``job_id``; False when no such row (or it is set aside)."""
        if not isinstance(job_id, str):
            msg = f"{self.worker.where}.{what}({job_id!r}): job_id must be a str"
            raise TypeError(msg)
        names = self.worker.names
        sql = (
            f"UPDATE {names.jobs} SET {column} = ?, version = ?, writer = ? "  # noqa: S608
            "WHERE job_id = ? AND quarantined_reason IS NULL"
        )
        log_sql = (
            f"INSERT INTO {names.changes} (job_id, version, writer, deleted) "  # noqa: S608
            "VALUES (?, ?, ?, 0) ON CONFLICT (job_id) DO UPDATE SET "
            "version = excluded.version, writer = excluded.writer, deleted = 0"
        )
        token = self.token

        def write(conn: sqlite3.Connection, tally: Tally) -> bool:
            version = tally.stamp(conn)
            if conn.execute(sql, (int(value), version, token, job_id)).rowcount == 0:
                return False
            # logged too, so a reader hears of it even after the row's owner rewrites the row
            conn.execute(log_sql, (job_id, version, token))
            return True

        found: bool = await self.worker.call(what, write, writes=True)
        return found

    async def get_stored_job(self, job_id: str) -> StoredJob | None:
        """The row of ``job_id`` (set aside or not) with its flags; None when missing."""
        sql = select_jobs(self.worker.names, self.worker.layout(), "WHERE job_id = ?")

        def read(conn: sqlite3.Connection, tally: Tally) -> StoredJob | None:
            raw = conn.execute(sql, (job_id,)).fetchone()
            return None if raw is None else stored_job(raw)

        found: StoredJob | None = await self.worker.call("get_stored_job", read, writes=False)
        return found

    async def list_jobs(
        self,
        *,
        after: str | None = None,
        limit: int = 100,
        task: str | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> list[StoredJob]:
        """A page of rows ordered by job id, after the id ``after`` (``list_jobs``)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            msg = f"{self.worker.where}.list_jobs(limit={limit!r}): expected an int >= 1"
            raise ValueError(msg)
        layout = self.worker.layout()
        clauses: list[str] = []
        params: list[Any] = []
        if after is not None:
            clauses.append("job_id > ?")
            params.append(after)
        if task is not None:
            clauses.append("name = ?")
            params.append(task)
        if status == "set aside":
            clauses.append("quarantined_reason IS NOT NULL")
        elif status == "paused":
            clauses.append(f"quarantined_reason IS NULL AND {layout.paused} != 0")
        elif status is not None:
            clauses.append(f"quarantined_reason IS NULL AND {layout.paused} = 0 AND status = ?")
            params.append(status)
        if search is not None:
            clauses.append("(instr(job_id, ?) > 0 OR instr(name, ?) > 0)")
            params += [search, search]
        where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
        sql = select_jobs(self.worker.names, layout, f"{where}ORDER BY job_id LIMIT ?")
        params.append(limit)

        def read(conn: sqlite3.Connection, tally: Tally) -> list[StoredJob]:
            return [stored_job(raw) for raw in conn.execute(sql, params)]

        page: list[StoredJob] = await self.worker.call("list_jobs", read, writes=False)
        return page
