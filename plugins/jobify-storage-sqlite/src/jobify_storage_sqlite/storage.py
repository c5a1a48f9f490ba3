"""``SQLiteStorage``: durable jobs in one SQLite file, group-committed on a worker thread.

The kernel awaits :meth:`SQLiteStorage.add_schedule` for every durable job it
schedules, and that call must return only once the row is on disk. One
transaction per job would cap an app at a few hundred jobs per second, so the
storage group-commits: every call made from the event loop becomes an
operation in a loop-side buffer, the whole buffer is handed to the storage's
own worker thread once per loop turn, and the thread runs everything it has
received in ONE transaction before it resolves every caller's future (with one
``call_soon_threadsafe`` per batch). The event loop never touches the disk.

``max_queue_size`` bounds the operations accepted and not yet finished;
further callers wait (back-pressure) instead of growing memory without bound.
A batch that fails is rolled back and its callers get the error; when the
failure is not environmental (a locked or read-only file fails every
operation alike) each operation is retried in its own transaction, so one bad
operation cannot fail its neighbours. The worker thread survives every error.

The file uses WAL journaling with ``synchronous=NORMAL``: a commit survives
the process being killed (SIGKILL); after a power loss the last commits may
roll back. Beside the jobs table the storage keeps ``<table_name>_meta`` (the
schema version and the write counter), ``_changes`` (tombstones),
``_runs`` (run history) and ``_outcomes`` (kept results); see
:mod:`jobify_storage_sqlite._schema`.

Operating a scheduler rides the same thread and the same batches: run
records and outcomes are operations like any other, so they join the
transaction of whatever else was written in that loop turn. The change feed
(:meth:`SQLiteStorage.watch`) is one ``PRAGMA data_version`` on the worker
thread every :data:`FEED_SECONDS`, which SQLite answers from memory; the loop
is woken only when another connection committed.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import attrs

from jobify import JobStatus, options
from jobify.storage import (
    ChangeFeed,
    ControlStorage,
    HistoryStorage,
    InspectableStorage,
    JobOutcome,
    ResultStorage,
    RowChanges,
    RunRecord,
    ScheduledJob,
    SchedulerLock,
    SetAsideStorage,
    StoredJob,
)
from jobify_storage_sqlite._database import describe, is_memory
from jobify_storage_sqlite._errors import SQLiteStorageError as SQLiteStorageError
from jobify_storage_sqlite._errors import SQLiteStorageStateError
from jobify_storage_sqlite._guard import WATCH_SECONDS
from jobify_storage_sqlite._rows import ERROR_LIMIT as ERROR_LIMIT
from jobify_storage_sqlite._rows import SUMMARY_LIMIT as SUMMARY_LIMIT
from jobify_storage_sqlite._rows import (
    aware,
    from_row_leniently,
    iso,
    outcome_from,
    outcome_params,
    run_from,
    run_params,
    stored_job,
    to_params,
)
from jobify_storage_sqlite._runner import OpFn, Runner, Tally
from jobify_storage_sqlite._schema import (
    SCHEMA_VERSION,
    Layout,
    Names,
    quote,
)
from jobify_storage_sqlite._statistics import SQLiteStatistics
from jobify_storage_sqlite._worker import Timings, Worker

__all__ = (
    "SCHEMA_VERSION",
    "SQLiteStatistics",
    "SQLiteStorage",
    "SQLiteStorageError",
    "SQLiteStorageStateError",
)

log = logging.getLogger("jobify.storage.sqlite")

FEED_SECONDS: Final = 0.25
"""How often a watching storage asks SQLite whether another connection wrote (``watch``)."""
CHANGES_KEPT_SECONDS: Final = 3600.0
"""How long a tombstone (or another process's flag change) stays for the change feed."""


# --- options -------------------------------------------------------------------

_DATABASE: Final = options.path(
    fix="pass a file name such as 'jobify.db' (or ':memory:' for a database that lives "
    "only as long as the storage)"
)
_TABLE_NAME: Final = options.identifier(kind="SQL identifier", default="jobify_schedules")
_TIMEOUT: Final = options.seconds(
    zero=True, fix="how long to wait for another connection's lock", example=20.0
)
_MAX_QUEUE_SIZE: Final = options.positive_int(
    fix="at least 1 operation must fit in the queue", example=1024
)


# --- the storage ---------------------------------------------------------------


class _Statements:
    """The SQL of the calls made for every job, built once per storage."""

    __slots__ = ("delete", "present", "tomb", "unheard", "upsert")

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
        self.unheard = (
            f"SELECT job_id FROM {changes} "  # noqa: S608
            "WHERE version > ? AND writer != ? AND deleted = 1"
        )
        self.present = f"SELECT job_id FROM {jobs} WHERE job_id IN ({{marks}})"  # noqa: S608
        self.tomb = (
            f"INSERT INTO {changes} (job_id, version, writer, deleted) "  # noqa: S608
            f"SELECT job_id, ?, ?, 1 FROM {jobs} WHERE job_id = ? "
            "ON CONFLICT (job_id) DO UPDATE SET version = excluded.version, "
            "writer = excluded.writer, deleted = 1"
        )
        self.delete = f"DELETE FROM {jobs} WHERE job_id = ?"  # noqa: S608


@attrs.define(eq=False, repr=False)
class SQLiteStorage(
    SchedulerLock,
    InspectableStorage,
    SetAsideStorage,
    ChangeFeed,
    ControlStorage,
    HistoryStorage,
    ResultStorage,
):
    """Durable jobs in one SQLite file; concurrent writes become one transaction.

    All disk I/O runs on a worker thread owned by the storage, started by
    :meth:`startup` and joined by :meth:`shutdown`; calls made from the event
    loop in the same loop turn are committed together. Rows that cannot be
    decoded can be set aside (:meth:`set_aside`) instead of being deleted.

    It has every ability of :mod:`jobify.storage` that one file can offer:
    one scheduler per table (``SchedulerLock``), reading from outside
    (``InspectableStorage``), setting rows aside, the change feed that lets a
    scheduler pick up what producers and ``jobify jobs pause ID`` wrote
    (``ChangeFeed``), pause / run-now flags and keyset listing
    (``ControlStorage``), run history (``HistoryStorage``) and kept outcomes
    (``ResultStorage``).

    Args:
        database: the SQLite file, created if missing (its directory must
            exist); relative paths are resolved when the storage starts.
            ``":memory:"`` keeps the jobs only as long as the storage runs.
        table_name: the jobs table, a plain identifier
            (``[A-Za-z_][A-Za-z0-9_]*``); ``<table_name>_meta``, ``_changes``,
            ``_runs`` and ``_outcomes`` are created beside it. Several apps
            may share one file with different tables.
        timeout: seconds to wait for another connection's write lock before
            the operation fails.
        max_queue_size: operations accepted and not finished at most; further
            callers wait until earlier ones finish.
    """

    database: Path = attrs.field(
        default=Path("jobify.db"), converter=options.to_path, validator=_DATABASE
    )
    table_name: str = attrs.field(default="jobify_schedules", kw_only=True, validator=_TABLE_NAME)
    timeout: float = attrs.field(default=20.0, kw_only=True, validator=_TIMEOUT)
    max_queue_size: int = attrs.field(default=1024, kw_only=True, validator=_MAX_QUEUE_SIZE)
    _worker: Worker = attrs.field(
        init=False, default=attrs.Factory(Worker, takes_self=True)
    )  # the thread, its lifecycle and the calls handed to it
    _read_only: bool = attrs.field(init=False, default=False)
    _token: int = attrs.field(init=False, factory=lambda: secrets.randbits(62))
    _seen: int | None = attrs.field(init=False, default=None)  # the feed read so far
    _statements: _Statements | None = attrs.field(init=False, default=None)

    def __repr__(self) -> str:
        return (
            f"SQLiteStorage({str(self.database)!r}, table_name={self.table_name!r}, "
            f"timeout={self.timeout!r}, max_queue_size={self.max_queue_size!r})"
        )

    @property
    def _where(self) -> str:
        return self._worker.where

    @property
    def _sql(self) -> _Statements:
        """The statements of the hot path, built once (the table name never changes)."""
        if self._statements is None:
            self._statements = _Statements(Names(self.table_name))
        return self._statements

    # --- lifecycle -------------------------------------------------------------

    async def startup(self) -> None:
        """Start the worker thread, open the file and create the schema.

        Logs which file it opened and how many stored jobs it holds (or that it
        created the file), so that an app started in the wrong directory shows.

        Raises:
            SQLiteStorageStateError: the storage is already started.
            SQLiteStorageError: the file cannot be opened or holds a table
                this version cannot use; the storage stays not started.
            StorageNotFoundError: opened with :meth:`read_only`, and the file
                or the table does not exist.
        """
        # read at each start, from this module, where they are documented (and tuned by tests)
        timings = Timings(
            feed_seconds=FEED_SECONDS,
            watch_seconds=WATCH_SECONDS,
            changes_kept_seconds=CHANGES_KEPT_SECONDS,
        )
        await self._worker.start(timings, read_only=self._read_only)

    async def shutdown(self) -> None:
        """Finish every accepted operation, close the file and join the thread.

        Calling it again, or before :meth:`startup`, does nothing.

        Raises:
            SQLiteStorageError: closing the connection failed (the thread
                has exited all the same).
        """
        await self._worker.stop()

    # --- one scheduler, and reading from outside -------------------------------

    async def lock_scheduler(self) -> None:
        """Become the one app that runs this table's jobs, until :meth:`shutdown`.

        The kernel calls it at startup (the ``SchedulerLock`` ability). It
        takes an exclusive ``flock`` on ``<database>.<table_name>.lock``
        beside the file, which the operating system releases when the process
        ends, SIGKILL included; a second app, in another process or in this
        one, is refused. Calling it again does nothing; a ``":memory:"``
        database needs no lock.

        Raises:
            SchedulerLockedError: another app holds the lock; the message
                names it (pid, host, since when) and the ways out.
            SQLiteStorageStateError: the storage is not running, or was opened
                with :meth:`read_only`.
        """
        if self._read_only:
            msg = (
                f"{self._where}.lock_scheduler(): this storage was opened with read_only(); "
                "a scheduler needs the storage itself"
            )
            raise SQLiteStorageStateError(msg)

        def lock(conn: sqlite3.Connection, tally: Tally) -> None:
            del conn, tally
            runner.lock_scheduler()

        runner = self._check_running("lock_scheduler")
        await self._call("lock_scheduler", lock, writes=False)

    def describe(self) -> str:
        """Say where the jobs live: the file (made absolute) and the table."""
        path = self.database if is_memory(self.database) else Path(os.path.abspath(self.database))
        runner = self._worker.runner
        if runner is not None:
            path = runner.path  # what was opened, whatever the working directory is now
        return describe(path, self.table_name)

    def read_only(self) -> SQLiteStorage:
        """Return a storage on the same file and table that only reads (``jobify jobs``).

        Its :meth:`startup` opens the file with SQLite's ``mode=ro``: a missing
        file or table raises ``StorageNotFoundError`` instead of being
        created, and nothing is written (rows that cannot be decoded are not
        set aside, only left out). Its writes raise ``SQLiteStorageStateError``.
        This storage is left as it is.
        """
        copy = SQLiteStorage(
            self.database,
            table_name=self.table_name,
            timeout=self.timeout,
            max_queue_size=self.max_queue_size,
        )
        copy._read_only = True
        return copy

    def statistics(self) -> SQLiteStatistics:
        """Return a snapshot of the counters (transactions, rows, queued and waiting calls)."""
        return self._worker.statistics()

    # --- the Storage contract ----------------------------------------------------

    def _jobs_sql(self, where: str, *, layout: Layout | None = None) -> str:
        """SELECT of the columns ``_stored`` reads, from the jobs table, with ``where``."""
        lay = layout or self._layout()
        return (
            "SELECT job_id, name, message, status, next_run_at, quarantined_reason, "  # noqa: S608
            f"{lay.paused}, {lay.run_requested} FROM {quote(self.table_name)} {where}"
        )

    def _layout(self) -> Layout:
        return self._worker.layout()

    async def _runnable_rows(self, what: str) -> list[StoredJob]:
        """Every row that is not set aside, soonest first; undecodable ones are set aside."""
        where = self._where
        sql = self._jobs_sql("WHERE quarantined_reason IS NULL ORDER BY next_run_at, job_id")
        mark = (
            f"UPDATE {quote(self.table_name)} SET quarantined_reason = ?, "  # noqa: S608
            "version = ?, writer = ? WHERE job_id = ?"
        )
        read_only = self._read_only
        token = self._token

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

        rows: list[StoredJob] = await self._call(what, read, writes=False)
        return rows

    async def get_schedules(self) -> list[ScheduledJob]:
        """Return every stored row that is not set aside, soonest first.

        A row whose columns cannot be decoded (a status that is not a
        ``JobStatus``, a time that is not a time) is logged and set aside
        instead of failing the call, so one bad row never blocks startup.
        """
        return [stored.row for stored in await self._runnable_rows("get_schedules")]

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        """Insert or replace ``scheduled`` rows; return once they are committed.

        Replacing a row also clears its set-aside mark; its control flags
        (paused, run requested) stay as they are.

        Raises:
            TypeError: a row has a value of the wrong type (raised before
                anything is queued).
            ValueError: a row's status is not a ``JobStatus`` or its
                ``next_run_at`` is naive.
            SQLiteStorageError: the transaction failed.
            SQLiteStorageStateError: the storage is not running.
        """
        where = f"{self._where}.add_schedule()"
        params = [to_params(job, where) for job in scheduled]
        sql = self._sql
        seen = self._seen
        token = self._token
        runner = self._worker.runner

        def write(conn: sqlite3.Connection, tally: Tally) -> None:
            version = tally.stamp(conn)
            rows = params
            if seen is not None and runner is not None:
                # a feed reader does not store again a row that another process deleted
                # after the last cursor it read (ChangeFeed)
                unheard = runner.feed.unheard_deletes(conn, sql.unheard, seen, token)
                if unheard and (mine := unheard.intersection(p[0] for p in params)):
                    marks = ", ".join("?" * len(mine))
                    query = sql.present.format(marks=marks)
                    gone = mine - {r[0] for r in conn.execute(query, list(mine))}
                    rows = [p for p in params if p[0] not in gone]
            conn.executemany(sql.upsert, [(*p, version, token) for p in rows])
            tally.written += len(rows)

        if not params:
            self._check_running("add_schedule")
            return
        await self._call("add_schedule", write, writes=True)

    async def delete_schedule(self, job_id: str) -> None:
        """Remove the row of ``job_id``; a missing row is not an error.

        Raises:
            SQLiteStorageError: the transaction failed.
            SQLiteStorageStateError: the storage is not running.
        """
        await self._delete("delete_schedule", (job_id,))

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        """Remove the rows of ``job_ids`` in one operation; missing rows are not an error.

        Raises:
            TypeError: ``job_ids`` is a single ``str`` or holds a non-``str``.
            SQLiteStorageError: the transaction failed.
            SQLiteStorageStateError: the storage is not running.
        """
        await self._delete("delete_schedule_many", job_ids)

    def _checked_ids(self, what: str, job_ids: Sequence[str]) -> list[tuple[str]]:
        if isinstance(job_ids, str | bytes):
            msg = (
                f"{self._where}.{what}({job_ids!r}): expected a sequence of job ids, got one "
                f"string; pass [{job_ids!r}] or call delete_schedule({job_ids!r})"
            )
            raise TypeError(msg)
        params = [(job_id,) for job_id in job_ids]
        for (job_id,) in params:
            if not isinstance(job_id, str):
                msg = f"{self._where}.{what}(): job ids must be str, got {job_id!r}"
                raise TypeError(msg)
        return params

    def _deleter(self) -> Callable[[sqlite3.Connection, Tally, list[tuple[str]]], None]:
        """Delete rows, leaving a tombstone for the change feed of each row that existed."""
        sql = self._sql
        token = self._token

        def delete(conn: sqlite3.Connection, tally: Tally, params: list[tuple[str]]) -> None:
            version = tally.stamp(conn)
            conn.executemany(sql.tomb, [(version, token, job_id) for (job_id,) in params])
            tally.deleted += conn.executemany(sql.delete, params).rowcount

        return delete

    async def _delete(self, what: str, job_ids: Sequence[str]) -> None:
        params = self._checked_ids(what, job_ids)
        delete = self._deleter()

        def run(conn: sqlite3.Connection, tally: Tally) -> None:
            delete(conn, tally, params)

        if not params:
            self._check_running(what)
            return
        await self._call(what, run, writes=True)

    # --- set aside ---------------------------------------------------------------

    async def set_aside(self, job_id: str, reason: str) -> None:
        """Mark the row of ``job_id`` as set aside, so startup no longer restores it.

        The row is kept, with ``reason``, for :meth:`get_quarantined` (and
        ``jobify jobs``) until it is deleted or replaced by ``add_schedule``.
        A missing row is not an error. The kernel calls this for a stored job
        whose task is gone or whose message cannot be decoded.

        Raises:
            TypeError: ``job_id`` or ``reason`` is not a ``str``.
            SQLiteStorageError: the transaction failed.
            SQLiteStorageStateError: the storage is not running.
        """
        if not isinstance(job_id, str) or not isinstance(reason, str):
            msg = f"{self._where}.set_aside({job_id!r}, {reason!r}): job_id and reason must be str"
            raise TypeError(msg)
        text = reason or "set aside without a reason"
        sql = (
            f"UPDATE {quote(self.table_name)} SET quarantined_reason = ?, "  # noqa: S608
            "version = ?, writer = ? WHERE job_id = ?"
        )
        token = self._token

        def mark(conn: sqlite3.Connection, tally: Tally) -> None:
            version = tally.stamp(conn)
            tally.set_aside += conn.execute(sql, (text, version, token, job_id)).rowcount

        await self._call("set_aside", mark, writes=True)

    async def get_quarantined(self) -> list[tuple[ScheduledJob, str]]:
        """Return the set-aside rows with their reasons, soonest first.

        Columns that could not be decoded are shown as described in the
        README (the reason says which one was wrong).

        Raises:
            SQLiteStorageError: the read failed.
            SQLiteStorageStateError: the storage is not running.
        """
        sql = (
            "SELECT job_id, name, message, status, next_run_at, quarantined_reason "  # noqa: S608
            f"FROM {quote(self.table_name)} WHERE quarantined_reason IS NOT NULL "
            "ORDER BY next_run_at, job_id"
        )

        def read(conn: sqlite3.Connection, tally: Tally) -> list[tuple[ScheduledJob, str]]:
            return [(from_row_leniently(raw), str(raw[5])) for raw in conn.execute(sql)]

        rows: list[tuple[ScheduledJob, str]] = await self._call(
            "get_quarantined", read, writes=False
        )
        return rows

    # --- change feed (ChangeFeed) ------------------------------------------------

    async def cursor(self) -> int:
        """Return the version of the last write batch committed to this table (any process).

        From now on this storage reads the feed: its ``add_schedule`` no longer
        stores again a row another process deleted after the last cursor it read.
        """
        meta = quote(self.table_name + "_meta")
        runner = self._check_running("cursor")

        def read(conn: sqlite3.Connection, tally: Tally) -> int:
            found = conn.execute(f"SELECT value FROM {meta} WHERE key = 'version'").fetchone()  # noqa: S608
            version = 0 if found is None else int(found[0])
            runner.feed.note_read(conn, version)
            return version

        version: int = await self._call("cursor", read, writes=False)
        self._heard(version)
        return version

    def _heard(self, cursor: int) -> None:
        if self._seen is None or cursor > self._seen:
            self._seen = cursor

    def watch(self, on_change: Callable[[], None]) -> None:
        """Call ``on_change()`` on this loop soon after another connection wrote to the file.

        The worker thread asks SQLite's ``PRAGMA data_version`` every
        :data:`FEED_SECONDS` (0.25 s): one query that reads no row and
        changes only when another connection committed. Idle, that is the
        whole cost; the loop is woken only when something changed. One call
        comes right away, for what was written before the watch began.

        Raises:
            SQLiteStorageStateError: the storage is not running.
        """
        self._check_running("watch").watch(on_change)

    async def changes(self, cursor: int) -> RowChanges:
        """Return what other storage objects added, changed or deleted after ``cursor``.

        Rows carry the version of the batch that last wrote them and the
        token of the storage object that wrote it; deletes and control flags
        set by others also leave an entry in ``<table_name>_changes``. A row
        this storage stored again after another's delete (before the guard of
        :meth:`cursor` could know) is reported deleted: the delete wins.
        """
        names = Names(self.table_name)
        token = self._token
        layout = self._layout()
        rows_sql = self._jobs_sql("WHERE version > ? AND writer != ?", layout=layout)
        logged_sql = (
            "SELECT c.job_id, c.deleted AND j.writer = ?2 AND j.version > c.version, "  # noqa: S608
            "j.job_id, j.name, j.message, j.status, j.next_run_at, "
            "j.quarantined_reason, j.paused, j.run_requested "
            f"FROM {names.changes} AS c LEFT JOIN {names.jobs} AS j ON j.job_id = c.job_id "
            "WHERE c.version > ?1 AND c.writer != ?2"
        )
        meta_sql = f"SELECT value FROM {names.meta} WHERE key = 'version'"  # noqa: S608
        if not (layout.flags and layout.changes):  # read-only on an older file: no feed
            return RowChanges(cursor, [], [])
        runner = self._check_running("changes")

        def read(conn: sqlite3.Connection, tally: Tally) -> RowChanges:
            found = conn.execute(meta_sql).fetchone()
            now = 0 if found is None else int(found[0])
            runner.feed.note_read(conn, now)
            changed = {raw[0]: stored_job(raw) for raw in conn.execute(rows_sql, (cursor, token))}
            deleted: list[str] = []
            for job_id, stored_again, *raw in conn.execute(logged_sql, (cursor, token)):
                if raw[0] is None or stored_again:
                    deleted.append(job_id)
                elif job_id not in changed:
                    changed[job_id] = stored_job(raw)
            return RowChanges(max(now, cursor), list(changed.values()), deleted)

        result: RowChanges = await self._call("changes", read, writes=False)
        self._heard(result.cursor)
        return result

    # --- control (ControlStorage) ------------------------------------------------

    async def _set_flag(self, what: str, column: str, job_id: str, *, value: bool) -> bool:
        if not isinstance(job_id, str):
            msg = f"{self._where}.{what}({job_id!r}): job_id must be a str"
            raise TypeError(msg)
        names = Names(self.table_name)
        sql = (
            f"UPDATE {names.jobs} SET {column} = ?, version = ?, writer = ? "  # noqa: S608
            "WHERE job_id = ? AND quarantined_reason IS NULL"
        )
        log_sql = (
            f"INSERT INTO {names.changes} (job_id, version, writer, deleted) "  # noqa: S608
            "VALUES (?, ?, ?, 0) ON CONFLICT (job_id) DO UPDATE SET "
            "version = excluded.version, writer = excluded.writer, deleted = 0"
        )
        token = self._token

        def write(conn: sqlite3.Connection, tally: Tally) -> bool:
            version = tally.stamp(conn)
            if conn.execute(sql, (int(value), version, token, job_id)).rowcount == 0:
                return False
            # logged too, so a reader hears of it even after the row's owner rewrites the row
            conn.execute(log_sql, (job_id, version, token))
            return True

        found: bool = await self._call(what, write, writes=True)
        return found

    async def set_paused(self, job_id: str, *, paused: bool) -> bool:
        """Pause or resume ``job_id``; False when no such row is stored (or it is set aside)."""
        return await self._set_flag("set_paused", "paused", job_id, value=paused)

    async def request_run(self, job_id: str, *, requested: bool = True) -> bool:
        """Ask for (or clear) one extra run of ``job_id`` now; False when no such row."""
        return await self._set_flag("request_run", "run_requested", job_id, value=requested)

    async def get_stored_jobs(self) -> list[StoredJob]:
        """Return every row that can run (not set aside) with its flags, soonest first."""
        return await self._runnable_rows("get_stored_jobs")

    async def get_stored_job(self, job_id: str) -> StoredJob | None:
        """Return the row of ``job_id`` (set aside or not) with its flags; None when missing."""
        sql = self._jobs_sql("WHERE job_id = ?")

        def read(conn: sqlite3.Connection, tally: Tally) -> StoredJob | None:
            raw = conn.execute(sql, (job_id,)).fetchone()
            return None if raw is None else stored_job(raw)

        found: StoredJob | None = await self._call("get_stored_job", read, writes=False)
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
        """Return a page of rows ordered by job id, starting after the id ``after``.

        Keyset pagination on the primary key: each page is one indexed range
        read, however deep. ``status`` is ``"set aside"``, ``"paused"`` or a
        ``JobStatus`` value (``"scheduled"``, ``"running"``, ...) of a row
        that is neither; ``search`` keeps rows whose id or task contains it
        (case-sensitive, taken literally).
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            msg = f"{self._where}.list_jobs(limit={limit!r}): expected an int >= 1"
            raise ValueError(msg)
        layout = self._layout()
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
        sql = self._jobs_sql(f"{where}ORDER BY job_id LIMIT ?", layout=layout)
        params.append(limit)

        def read(conn: sqlite3.Connection, tally: Tally) -> list[StoredJob]:
            return [stored_job(raw) for raw in conn.execute(sql, params)]

        page: list[StoredJob] = await self._call("list_jobs", read, writes=False)
        return page

    # --- run history (HistoryStorage) --------------------------------------------

    async def record_runs(self, *runs: RunRecord) -> None:
        """Keep ``runs``, in the next write batch (no transaction of their own).

        Error texts are cut to :data:`ERROR_LIMIT` characters, result
        summaries and error types to :data:`SUMMARY_LIMIT`.

        Raises:
            TypeError, ValueError: a record has a value of the wrong type or a
                naive time (raised before anything is queued).
            SQLiteStorageError: the transaction failed.
        """
        where = f"{self._where}.record_runs()"
        params = [run_params(run, where) for run in runs]
        sql = (
            f"INSERT INTO {quote(self.table_name + '_runs')} (job_id, task, planned_at, "  # noqa: S608
            "started_at, finished_at, status, attempt, node, error_type, error_message, "
            "result_summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )

        def write(conn: sqlite3.Connection, tally: Tally) -> None:
            conn.executemany(sql, params)

        if not params:
            self._check_running("record_runs")
            return
        await self._call("record_runs", write, writes=True)

    async def get_runs(
        self,
        *,
        job_id: str | None = None,
        before: int | None = None,
        limit: int = 50,
        failed_only: bool = False,
    ) -> list[tuple[int, RunRecord]]:
        """Return runs newest first with their ids: of one job or all, before the id ``before``."""
        if not self._layout().runs:
            self._check_running("get_runs")
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
            f"FROM {quote(self.table_name + '_runs')} {where}ORDER BY run_id DESC LIMIT ?"
        )
        params.append(limit)

        def read(conn: sqlite3.Connection, tally: Tally) -> list[tuple[int, RunRecord]]:
            return [run_from(raw) for raw in conn.execute(sql, params)]

        runs: list[tuple[int, RunRecord]] = await self._call("get_runs", read, writes=False)
        return runs

    async def trim_runs(
        self, *, older_than: datetime | None = None, keep_per_job: int | None = None
    ) -> int:
        """Drop runs finished before ``older_than`` and all but each job's newest ``keep_per_job``.

        Both read an index: the age by ``finished_at``; the count per job only
        for jobs that have more runs than that. Returns how many were dropped.
        """
        where = f"{self._where}.trim_runs()"
        cutoff = None if older_than is None else iso(aware(where, "older_than", older_than))
        if keep_per_job is not None and (
            isinstance(keep_per_job, bool) or not isinstance(keep_per_job, int) or keep_per_job < 0
        ):
            msg = f"{where}: keep_per_job must be an int >= 0 or None, got {keep_per_job!r}"
            raise ValueError(msg)
        runs = quote(self.table_name + "_runs")

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

        if not self._layout().runs:
            self._check_running("trim_runs")
            return 0
        dropped: int = await self._call("trim_runs", trim, writes=True)
        return dropped

    # --- kept outcomes (ResultStorage) -------------------------------------------

    async def finish_jobs(self, *outcomes: JobOutcome) -> None:
        """Delete the rows of the ``outcomes``' jobs and keep the outcomes, in one transaction.

        Every outcome is checked before anything is queued, so a bad one
        changes nothing. An outcome replaces an earlier one of the same job.
        Deleted rows leave tombstones for the change feed, as deletes do.
        """
        where = f"{self._where}.finish_jobs()"
        params = [outcome_params(outcome, where) for outcome in outcomes]
        ids = [(p[0],) for p in params]
        delete = self._deleter()
        sql = (
            f"INSERT INTO {quote(self.table_name + '_outcomes')} "  # noqa: S608
            "(job_id, name, status, result, error, finished_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (job_id) DO UPDATE SET name = excluded.name, status = excluded.status, "
            "result = excluded.result, error = excluded.error, finished_at = excluded.finished_at"
        )

        def write(conn: sqlite3.Connection, tally: Tally) -> None:
            delete(conn, tally, ids)
            conn.executemany(sql, params)

        if not params:
            self._check_running("finish_jobs")
            return
        await self._call("finish_jobs", write, writes=True)

    async def get_outcome(self, job_id: str) -> JobOutcome | None:
        """Return the kept outcome of ``job_id``, or None."""
        if not self._layout().outcomes:
            self._check_running("get_outcome")
            return None
        sql = (
            "SELECT job_id, name, status, result, error, finished_at "  # noqa: S608
            f"FROM {quote(self.table_name + '_outcomes')} WHERE job_id = ?"
        )

        def read(conn: sqlite3.Connection, tally: Tally) -> JobOutcome | None:
            raw = conn.execute(sql, (job_id,)).fetchone()
            return None if raw is None else outcome_from(raw)

        found: JobOutcome | None = await self._call("get_outcome", read, writes=False)
        return found

    async def purge_outcomes(self, finished_before: datetime) -> int:
        """Drop the outcomes of jobs finished before ``finished_before``; return how many."""
        where = f"{self._where}.purge_outcomes()"
        cutoff = iso(aware(where, "finished_before", finished_before))
        sql = f"DELETE FROM {quote(self.table_name + '_outcomes')} WHERE finished_at < ?"  # noqa: S608

        def purge(conn: sqlite3.Connection, tally: Tally) -> int:
            return int(conn.execute(sql, (cutoff,)).rowcount)

        if not self._layout().outcomes:
            self._check_running("purge_outcomes")
            return 0
        dropped: int = await self._call("purge_outcomes", purge, writes=True)
        return dropped

    # --- plumbing ----------------------------------------------------------------

    def _check_running(self, what: str) -> Runner:
        return self._worker.check_running(what)

    async def _call(self, what: str, fn: OpFn, *, writes: bool) -> Any:
        return await self._worker.call(what, fn, writes=writes)
