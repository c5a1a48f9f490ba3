"""The jobs table: the ``Storage`` contract and setting rows aside.

Restoring (the runnable rows, soonest first), storing, deleting and setting
aside stored jobs. Every write stamps the rows with the batch's version and
this storage's token, for the change feed of other processes; a delete also
leaves a tombstone in ``<table_name>_changes``. A row that cannot be decoded
is set aside when it is read (never when reading only), so one bad row never
blocks a startup.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from jobify.storage import ScheduledJob, StoredJob
from jobify_storage_sqlite._feed import Feed
from jobify_storage_sqlite._rows import from_row_leniently, select_jobs, stored_job, to_params
from jobify_storage_sqlite._runner import Tally
from jobify_storage_sqlite._schema import Names
from jobify_storage_sqlite._worker import Worker

__all__ = ("Deleter", "Jobs")

log = logging.getLogger("jobify.storage.sqlite")

Deleter = Callable[[sqlite3.Connection, Tally, list[tuple[str]]], None]
"""Deletes rows by id inside a batch, leaving a tombstone for each row that existed."""


class _Statements:
    """The SQL of the calls made for every job, built once per storage."""

    __slots__ = ("delete", "tomb", "upsert")

    def __init__(self, names: Names) -> None:
        jobs, changes = names.jobs, names.changes
        self.upsert = (
            f"INSERT INTO {jobs} "  # noqa: S608
            "(job_id, name, message, status, next_run_at, quarantined_reason, version, writer) "
            "VALUES (?, ?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (job_id) DO UPDATE SET "
            "name = excluded.name, message = excluded.message, status = excluded.status, "
            "next_run_at = excluded.next_run_at, quarantined_reason = NULL, "
            "version = excluded.version, writer = excluded.writer"
        )
        self.tomb = (
            f"INSERT INTO {changes} (job_id, version, writer, deleted) "  # noqa: S608
            f"SELECT job_id, ?, ?, 1 FROM {jobs} WHERE job_id = ? "
            "ON CONFLICT (job_id) DO UPDATE SET version = excluded.version, "
            "writer = excluded.writer, deleted = 1"
        )
        self.delete = f"DELETE FROM {jobs} WHERE job_id = ?"  # noqa: S608


def _mark_sql(names: Names) -> str:
    """The UPDATE that sets one row aside with its reason."""
    return (
        f"UPDATE {names.jobs} SET quarantined_reason = ?, "  # noqa: S608
        "version = ?, writer = ? WHERE job_id = ?"
    )


class Jobs:
    """The stored jobs of one storage: read, written and set aside through its worker."""

    def __init__(self, worker: Worker, token: int, feed: Feed) -> None:
        self.worker = worker
        self.token = token  # this storage object, as the writer of the rows it writes
        self.feed = feed
        self._statements: _Statements | None = None

    @property
    def _sql(self) -> _Statements:
        """The statements of the hot path, built once (the table name never changes)."""
        if self._statements is None:
            self._statements = _Statements(self.worker.names)
        return self._statements

    async def runnable(self, what: str) -> list[StoredJob]:
        """Every row that is not set aside, soonest first; undecodable ones are set aside."""
        worker = self.worker
        where = worker.where
        names = worker.names
        sql = select_jobs(
            names,
            worker.layout(),
            "WHERE quarantined_reason IS NULL ORDER BY next_run_at, job_id",
        )
        mark = _mark_sql(names)
        read_only = worker.read_only
        token = self.token

        def read(conn: sqlite3.Connection, tally: Tally) -> list[StoredJob]:
            rows: list[StoredJob] = []
            bad: list[tuple[str, Any]] = []
            for raw in conn.execute(sql):
                stored = stored_job(raw)
                if stored.set_aside is None:
                    rows.append(stored)
                else:
                    bad.append((stored.set_aside, raw[0]))
            if read_only or not bad:
                return rows  # only listing: undecodable rows stay as they are
            for reason, job_id in bad:
                log.warning("%s: stored job %r set aside: %s", where, job_id, reason)
            try:
                version = tally.stamp(conn)
                params = [(reason, version, token, job_id) for reason, job_id in bad]
                tally.set_aside += conn.executemany(mark, params).rowcount
            except sqlite3.Error:
                log.exception("%s: could not mark %d undecodable row(s)", where, len(bad))
            return rows

        rows: list[StoredJob] = await worker.call(what, read, writes=False)
        return rows

    async def add(self, scheduled: Sequence[ScheduledJob]) -> None:
        """Insert or replace rows, checked before anything is queued (``add_schedule``)."""
        where = f"{self.worker.where}.add_schedule()"
        params = [to_params(job, where) for job in scheduled]
        sql = self._sql
        token = self.token
        # a feed reader does not store again a row that another process deleted after
        # the last cursor it read (ChangeFeed)
        keep_heard = self.feed.guard()

        def write(conn: sqlite3.Connection, tally: Tally) -> None:
            version = tally.stamp(conn)
            rows = params if keep_heard is None else keep_heard(conn, params)
            conn.executemany(sql.upsert, [(*p, version, token) for p in rows])
            tally.written += len(rows)

        if not params:
            self.worker.check_running("add_schedule")
            return
        await self.worker.call("add_schedule", write, writes=True)

    async def delete(self, what: str, job_ids: Sequence[str]) -> None:
        """Remove the rows of ``job_ids`` in one operation (``delete_schedule(_many)``)."""
        params = self._checked_ids(what, job_ids)
        delete = self.deleter()

        def run(conn: sqlite3.Connection, tally: Tally) -> None:
            delete(conn, tally, params)

        if not params:
            self.worker.check_running(what)
            return
        await self.worker.call(what, run, writes=True)

    def _checked_ids(self, what: str, job_ids: Sequence[str]) -> list[tuple[str]]:
        where = self.worker.where
        if isinstance(job_ids, str | bytes):
            msg = (
                f"{where}.{what}({job_ids!r}): expected a sequence of job ids, got one "
                f"string; pass [{job_ids!r}] or call delete_schedule({job_ids!r})"
            )
            raise TypeError(msg)
        params = [(job_id,) for job_id in job_ids]
        for (job_id,) in params:
            if not isinstance(job_id, str):
                msg = f"{where}.{what}(): job ids must be str, got {job_id!r}"
                raise TypeError(msg)
        return params

    def deleter(self) -> Deleter:
        """Delete rows, leaving a tombstone for the change feed of each row that existed."""
        sql = self._sql
        token = self.token

        def delete(conn: sqlite3.Connection, tally: Tally, params: list[tuple[str]]) -> None:
            version = tally.stamp(conn)
            conn.executemany(sql.tomb, [(version, token, job_id) for (job_id,) in params])
            tally.deleted += conn.executemany(sql.delete, params).rowcount

        return delete

    async def set_aside(self, job_id: str, reason: str) -> None:
        """Mark the row of ``job_id`` as set aside with ``reason`` (``set_aside``)."""
        if not isinstance(job_id, str) or not isinstance(reason, str):
            msg = (
                f"{self.worker.where}.set_aside({job_id!r}, {reason!r}): "
                "job_id and reason must be str"
            )
            raise TypeError(msg)
        text = reason or "set aside without a reason"
        sql = _mark_sql(self.worker.names)
        token = self.token

        def mark(conn: sqlite3.Connection, tally: Tally) -> None:
            version = tally.stamp(conn)
            tally.set_aside += conn.execute(sql, (text, version, token, job_id)).rowcount

        await self.worker.call("set_aside", mark, writes=True)

    async def set_aside_rows(self) -> list[tuple[ScheduledJob, str]]:
        """The set-aside rows with their reasons, soonest first (``get_quarantined``)."""
        sql = (
            "SELECT job_id, name, message, status, next_run_at, quarantined_reason "  # noqa: S608
            f"FROM {self.worker.names.jobs} WHERE quarantined_reason IS NOT NULL "
            "ORDER BY next_run_at, job_id"
        )

        def read(conn: sqlite3.Connection, tally: Tally) -> list[tuple[ScheduledJob, str]]:
            return [(from_row_leniently(raw), str(raw[5])) for raw in conn.execute(sql)]

        rows: list[tuple[ScheduledJob, str]] = await self.worker.call(
            "get_quarantined", read, writes=False
        )
        return rows
