"""``SQLiteStorage``: durable jobs in one SQLite file, group-committed on a worker thread.

The kernel awaits :meth:`SQLiteStorage.add_schedule` for every durable job it
schedules, and that call must return only once the row is on disk. One
transaction per job would cap an app at a few hundred jobs per second, so the
storage group-commits: the calls made from the event loop in one loop turn
run in ONE transaction on the storage's own worker thread, and the event loop
never touches the disk. The file uses WAL journaling with
``synchronous=NORMAL``: a commit survives the process being killed (SIGKILL);
after a power loss the last commits may roll back.

This module holds the public class, its options and its timings
(:data:`FEED_SECONDS`, :data:`CHANGES_KEPT_SECONDS`); each concern behind it
has a module of its own:

* ``_worker``: the lifecycle (startup, shutdown) and admitting calls;
* ``_runner``: the worker thread, group commit and back-pressure;
* ``_database``: the thread's connection: opening, the file guard, the lock;
* ``_schema``: the tables and their migration; ``_guard``: the scheduler
  lock and the watch on the file;
* ``_rows``: checking what callers pass, and encoding and decoding rows;
* ``_jobs``: the ``Storage`` contract and setting rows aside;
* ``_feed``: the change feed; ``_control``, ``_history`` and ``_outcomes``:
  the other abilities that operate a scheduler;
* ``_errors`` and ``_statistics``: the public error and statistics types.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import attrs

from jobify import options
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
from jobify_storage_sqlite._control import Control
from jobify_storage_sqlite._database import describe, is_memory
from jobify_storage_sqlite._errors import SQLiteStorageError, SQLiteStorageStateError
from jobify_storage_sqlite._feed import Feed
from jobify_storage_sqlite._guard import WATCH_SECONDS
from jobify_storage_sqlite._history import History
from jobify_storage_sqlite._jobs import Jobs
from jobify_storage_sqlite._outcomes import Outcomes
from jobify_storage_sqlite._rows import ERROR_LIMIT as ERROR_LIMIT
from jobify_storage_sqlite._rows import SUMMARY_LIMIT as SUMMARY_LIMIT
from jobify_storage_sqlite._runner import OpFn, Tally
from jobify_storage_sqlite._schema import SCHEMA_VERSION
from jobify_storage_sqlite._statistics import SQLiteStatistics
from jobify_storage_sqlite._worker import Timings, Worker

__all__ = (
    "SCHEMA_VERSION",
    "SQLiteStatistics",
    "SQLiteStorage",
    "SQLiteStorageError",
    "SQLiteStorageStateError",
)

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
    _read_only: bool = attrs.field(init=False, default=False)
    _token: int = attrs.field(init=False, factory=lambda: secrets.randbits(62))  # as a writer
    _worker: Worker = attrs.field(init=False)  # the thread, its lifecycle, the calls it runs
    # the abilities, each working through the worker (see their modules)
    _feed: Feed = attrs.field(init=False)
    _jobs: Jobs = attrs.field(init=False)
    _control: Control = attrs.field(init=False)
    _history: History = attrs.field(init=False)
    _outcomes: Outcomes = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._worker = worker = Worker(self)  # reads the options when it starts
        token = self._token
        self._feed = Feed(worker, token)
        self._jobs = Jobs(worker, token, self._feed)
        self._control = Control(worker, token)
        self._history = History(worker)
        self._outcomes = Outcomes(worker, self._jobs)

    def __repr__(self) -> str:
        return (
            f"SQLiteStorage({str(self.database)!r}, table_name={self.table_name!r}, "
            f"timeout={self.timeout!r}, max_queue_size={self.max_queue_size!r})"
        )

    @property
    def _where(self) -> str:
        return self._worker.where

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

        runner = self._worker.check_running("lock_scheduler")
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

    async def get_schedules(self) -> list[ScheduledJob]:
        """Return every stored row that is not set aside, soonest first.

        A row whose columns cannot be decoded (a status that is not a
        ``JobStatus``, a time that is not a time) is logged and set aside
        instead of failing the call, so one bad row never blocks startup.
        """
        return [stored.row for stored in await self._jobs.runnable("get_schedules")]

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
        await self._jobs.add(scheduled)

    async def delete_schedule(self, job_id: str) -> None:
        """Remove the row of ``job_id``; a missing row is not an error.

        Raises:
            SQLiteStorageError: the transaction failed.
            SQLiteStorageStateError: the storage is not running.
        """
        await self._jobs.delete("delete_schedule", (job_id,))

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        """Remove the rows of ``job_ids`` in one operation; missing rows are not an error.

        Raises:
            TypeError: ``job_ids`` is a single ``str`` or holds a non-``str``.
            SQLiteStorageError: the transaction failed.
            SQLiteStorageStateError: the storage is not running.
        """
        await self._jobs.delete("delete_schedule_many", job_ids)

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
        await self._jobs.set_aside(job_id, reason)

    async def get_quarantined(self) -> list[tuple[ScheduledJob, str]]:
        """Return the set-aside rows with their reasons, soonest first.

        Columns that could not be decoded are shown as described in the
        README (the reason says which one was wrong).

        Raises:
            SQLiteStorageError: the read failed.
            SQLiteStorageStateError: the storage is not running.
        """
        return await self._jobs.set_aside_rows()

    # --- change feed (ChangeFeed) ------------------------------------------------

    async def cursor(self) -> int:
        """Return the version of the last write batch committed to this table (any process).

        From now on this storage reads the feed: its ``add_schedule`` no longer
        stores again a row another process deleted after the last cursor it read.
        """
        return await self._feed.cursor()

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
        self._feed.watch(on_change)

    async def changes(self, cursor: int) -> RowChanges:
        """Return what other storage objects added, changed or deleted after ``cursor``.

        Rows carry the version of the batch that last wrote them and the
        token of the storage object that wrote it; deletes and control flags
        set by others also leave an entry in ``<table_name>_changes``. A row
        this storage stored again after another's delete (before the guard of
        :meth:`cursor` could know) is reported deleted: the delete wins.
        """
        return await self._feed.changes(cursor)

    # --- control (ControlStorage) ------------------------------------------------

    async def set_paused(self, job_id: str, *, paused: bool) -> bool:
        """Pause or resume ``job_id``; False when no such row is stored (or it is set aside)."""
        return await self._control.set_flag("set_paused", "paused", job_id, value=paused)

    async def request_run(self, job_id: str, *, requested: bool = True) -> bool:
        """Ask for (or clear) one extra run of ``job_id`` now; False when no such row."""
        return await self._control.set_flag("request_run", "run_requested", job_id, value=requested)

    async def get_stored_jobs(self) -> list[StoredJob]:
        """Return every row that can run (not set aside) with its flags, soonest first."""
        return await self._jobs.runnable("get_stored_jobs")

    async def get_stored_job(self, job_id: str) -> StoredJob | None:
        """Return the row of ``job_id`` (set aside or not) with its flags; None when missing."""
        return await self._control.get_stored_job(job_id)

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
        return await self._control.list_jobs(
            after=after, limit=limit, task=task, status=status, search=search
        )

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
        await self._history.record(runs)

    async def get_runs(
        self,
        *,
        job_id: str | None = None,
        before: int | None = None,
        limit: int = 50,
        failed_only: bool = False,
    ) -> list[tuple[int, RunRecord]]:
        """Return runs newest first with their ids: of one job or all, before the id ``before``."""
        return await self._history.get(
            job_id=job_id, before=before, limit=limit, failed_only=failed_only
        )

    async def trim_runs(
        self, *, older_than: datetime | None = None, keep_per_job: int | None = None
    ) -> int:
        """Drop runs finished before ``older_than`` and all but each job's newest ``keep_per_job``.

        Both read an index: the age by ``finished_at``; the count per job only
        for jobs that have more runs than that. Returns how many were dropped.
        """
        return await self._history.trim(older_than=older_than, keep_per_job=keep_per_job)

    # --- kept outcomes (ResultStorage) -------------------------------------------

    async def finish_jobs(self, *outcomes: JobOutcome) -> None:
        """Delete the rows of the ``outcomes``' jobs and keep the outcomes, in one transaction.

        Every outcome is checked before anything is queued, so a bad one
        changes nothing. An outcome replaces an earlier one of the same job.
        Deleted rows leave tombstones for the change feed, as deletes do.
        """
        await self._outcomes.finish(outcomes)

    async def get_outcome(self, job_id: str) -> JobOutcome | None:
        """Return the kept outcome of ``job_id``, or None."""
        return await self._outcomes.get(job_id)

    async def purge_outcomes(self, finished_before: datetime) -> int:
        """Drop the outcomes of jobs finished before ``finished_before``; return how many."""
        return await self._outcomes.purge(finished_before)

    # --- plumbing ----------------------------------------------------------------

    async def _call(self, what: str, fn: OpFn, *, writes: bool) -> Any:
        return await self._worker.call(what, fn, writes=writes)
