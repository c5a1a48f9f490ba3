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
roll back. A second table, ``<table_name>_meta``, records the schema version.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import attrs

from jobify import JobStatus, options
from jobify.exceptions import BaseJobifyError, StorageNotFoundError
from jobify.storage import InspectableStorage, ScheduledJob, SchedulerLock, Storage, checked_row
from jobify_storage_sqlite._guard import WATCH_SECONDS, FileWatch, SchedulerLockFile, lock_path

__all__ = (
    "SCHEMA_VERSION",
    "SQLiteStatistics",
    "SQLiteStorage",
    "SQLiteStorageError",
    "SQLiteStorageStateError",
)

log = logging.getLogger("jobify.storage.sqlite")

SCHEMA_VERSION: Final = 1
"""The layout of the jobs table this version writes, kept in ``<table_name>_meta``."""

_COLUMNS: Final = ("job_id", "name", "message", "status", "next_run_at")
_STATUSES: Final = ", ".join(repr(s.value) for s in JobStatus)
_NO_TIME: Final = datetime.min.replace(tzinfo=UTC)


class SQLiteStorageError(BaseJobifyError, OSError):
    """A SQLite operation failed; the ``sqlite3`` error is the ``__cause__``.

    The message names the database file, the table and the call, then the
    fix. Every caller whose operation was in the failed transaction gets one.
    """


class SQLiteStorageStateError(BaseJobifyError, RuntimeError):
    """The storage is not in the state the call needs.

    Raised for a call before :meth:`SQLiteStorage.startup`, after
    :meth:`SQLiteStorage.shutdown`, on a second ``startup`` and from another
    event loop than the one that started the storage.
    """


@attrs.frozen(kw_only=True)
class SQLiteStatistics:
    """A snapshot of what one :class:`SQLiteStorage` did since it was built.

    Attributes:
        transactions: committed transactions; with group commit this is far
            below ``operations`` under concurrent load.
        failed_transactions: transactions rolled back because of an error.
        operations: calls that finished (writes, reads, set-asides), failed
            ones included.
        rows_written: rows inserted or replaced by ``add_schedule``.
        rows_deleted: rows removed by ``delete_schedule(_many)``.
        rows_set_aside: rows marked by ``set_aside`` or found undecodable by
            ``get_schedules``.
        largest_batch: most operations committed in one transaction.
        queued: operations holding a queue slot and not finished at snapshot
            time (at most ``max_queue_size``).
        waiting: callers waiting for a queue slot at snapshot time
            (back-pressure).
    """

    transactions: int = 0
    failed_transactions: int = 0
    operations: int = 0
    rows_written: int = 0
    rows_deleted: int = 0
    rows_set_aside: int = 0
    largest_batch: int = 0
    queued: int = 0
    waiting: int = 0


class _Counters:
    """Cumulative counters, written by the worker thread, read by ``statistics()``."""

    __slots__ = (
        "failed_transactions",
        "largest_batch",
        "lock",
        "operations",
        "rows_deleted",
        "rows_set_aside",
        "rows_written",
        "transactions",
    )

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.transactions = self.failed_transactions = self.operations = 0
        self.rows_written = self.rows_deleted = self.rows_set_aside = 0
        self.largest_batch = 0

    def committed(self, ops: int, tally: _Tally) -> None:
        with self.lock:
            self.transactions += 1
            self.operations += ops
            self.rows_written += tally.written
            self.rows_deleted += tally.deleted
            self.rows_set_aside += tally.set_aside
            self.largest_batch = max(self.largest_batch, ops)

    def failed(self, ops: int) -> None:
        """Count a rolled-back transaction whose ``ops`` operations failed with it."""
        with self.lock:
            self.failed_transactions += 1
            self.operations += ops

    def snapshot(self, queued: int, waiting: int) -> SQLiteStatistics:
        with self.lock:
            return SQLiteStatistics(
                transactions=self.transactions,
                failed_transactions=self.failed_transactions,
                operations=self.operations,
                rows_written=self.rows_written,
                rows_deleted=self.rows_deleted,
                rows_set_aside=self.rows_set_aside,
                largest_batch=self.largest_batch,
                queued=queued,
                waiting=waiting,
            )


class _Tally:
    """Rows one batch touched; added to the counters only if the batch commits."""

    __slots__ = ("deleted", "set_aside", "written")

    def __init__(self) -> None:
        self.written = self.deleted = self.set_aside = 0


_OpFn = Callable[[sqlite3.Connection, _Tally], Any]


class _Op:
    """One call waiting for the worker: what to run, and the caller's future."""

    __slots__ = ("error", "fn", "future", "result", "what", "writes")

    def __init__(self, fn: _OpFn, future: asyncio.Future[Any], what: str, *, writes: bool) -> None:
        self.fn = fn
        self.future = future
        self.what = what
        self.writes = writes
        self.result: Any = None
        self.error: BaseException | None = None


class _Stop:
    """Tells the worker to finish what it holds, close the connection and exit."""

    __slots__ = ("future",)

    def __init__(self, future: asyncio.Future[None] | None) -> None:
        self.future = future


class _State(enum.Enum):
    NEW = "not started"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "shutting down"
    STOPPED = "shut down"


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


def _is_memory(database: Path) -> bool:
    return os.fspath(database) == ":memory:"


def _describe(path: Path, table: str) -> str:
    """``SQLite file '/abs/jobify.db', table 'jobify_schedules'``: where the jobs live."""
    return f"SQLite file {str(path)!r}, table {table!r}"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


# --- rows ----------------------------------------------------------------------


def _to_params(job: ScheduledJob, where: str) -> tuple[str, str, bytes, str, str]:
    """Check one row on the caller's side and turn it into SQL parameters."""
    job = checked_row(job, where)
    when = job.next_run_at.astimezone(UTC).isoformat(timespec="microseconds")
    return job.job_id, job.name, job.message, job.status.value, when


def _read_time(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            try:  # a REAL written into the TEXT column is stored as its text
                seconds = float(value)
            except ValueError:
                msg = "expected ISO 8601 text or epoch seconds"
                raise ValueError(msg) from None
            when = datetime.fromtimestamp(seconds, UTC)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        when = datetime.fromtimestamp(value, UTC)
    else:
        msg = f"next_run_at {value!r} is neither ISO 8601 text nor epoch seconds"
        raise TypeError(msg)
    if when.utcoffset() is None:  # written by another tool: SQLite's own clock is UTC
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _from_row(row: Sequence[Any]) -> ScheduledJob:
    """Decode one stored row; raises ``ValueError`` or ``TypeError`` naming the column."""
    job_id, name, message, status, next_run_at = row[:5]
    if not isinstance(job_id, str):
        msg = f"job_id {job_id!r} is not text"
        raise TypeError(msg)
    if not isinstance(name, str):
        msg = f"name {name!r} is not text"
        raise TypeError(msg)
    if isinstance(message, str):
        message = message.encode()
    if not isinstance(message, bytes):
        msg = f"message {message!r} is not a blob"
        raise TypeError(msg)
    try:
        job_status = JobStatus(status)
    except ValueError:
        msg = f"status {status!r} is not a JobStatus ({_STATUSES})"
        raise ValueError(msg) from None
    try:
        when = _read_time(next_run_at)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        msg = f"next_run_at {next_run_at!r} is not a time: {exc}"
        raise ValueError(msg) from None
    return ScheduledJob(job_id, name, message, job_status, when)


def _from_row_leniently(row: Sequence[Any]) -> ScheduledJob:
    """Decode a set-aside row as far as possible, for listing it.

    Unreadable columns become ``str(value)``, ``b""``, ``JobStatus.SCHEDULED``
    (what the kernel stores) and ``datetime.min`` in UTC; the set-aside reason
    names the column that was wrong.
    """
    job_id, name, message, status, next_run_at = row[:5]
    try:
        job_status = JobStatus(status)
    except ValueError:
        job_status = JobStatus.SCHEDULED
    try:
        when = _read_time(next_run_at)
    except (TypeError, ValueError, OverflowError, OSError):
        when = _NO_TIME
    if isinstance(message, str):
        message = message.encode()
    return ScheduledJob(
        job_id if isinstance(job_id, str) else str(job_id),
        name if isinstance(name, str) else str(name),
        message if isinstance(message, bytes) else b"",
        job_status,
        when,
    )


# --- the worker ----------------------------------------------------------------


class _Runner:
    """One started session: the worker thread, its connection and the loop-side queue."""

    def __init__(
        self, storage: SQLiteStorage, loop: asyncio.AbstractEventLoop, counters: _Counters
    ) -> None:
        self.loop = loop
        self.where = storage._where
        self.database = storage.database
        self.memory = _is_memory(storage.database)
        self.path = storage.database if self.memory else Path(os.path.abspath(storage.database))
        self.read_only = storage._read_only
        self.watch: FileWatch | None = None  # set when the file is open (not in memory)
        self.lock: SchedulerLockFile | None = None  # set by lock_scheduler()
        self.timeout = float(storage.timeout)
        self.table = storage.table_name
        self.counters = counters
        self.slots = asyncio.Semaphore(storage.max_queue_size)
        self.queue: queue.SimpleQueue[list[_Op] | _Stop] = queue.SimpleQueue()
        self.buffer: list[_Op] = []
        self.accepted = 0  # calls between entry and answer, waiting for room included
        self.admitted = 0  # calls holding a queue slot
        self.closed = False
        self.idle: asyncio.Future[None] | None = None
        self.conn: sqlite3.Connection | None = None
        self.ready: asyncio.Future[None] = loop.create_future()
        self.thread = threading.Thread(
            target=self._main,
            name=f"jobify-sqlite:{storage.database.name}:{storage.table_name}",
            daemon=True,  # a forgotten shutdown() must not hang interpreter exit
        )

    async def start(self) -> None:
        """Start the thread; return once the connection is open and the schema exists."""
        self.thread.start()
        try:
            await self.ready
        except asyncio.CancelledError:
            self.queue.put(_Stop(None))  # the thread closes what it opens, then exits
            raise
        except BaseException:
            self.thread.join()  # it reported the failure as its last act
            raise

    # loop side

    def submit(self, op: _Op) -> None:
        self.buffer.append(op)
        if len(self.buffer) == 1:
            # hand over once per loop turn: everything issued in this turn is one batch
            self.loop.call_soon(self.handoff)

    def close(self, done: asyncio.Future[None] | None) -> None:
        """Refuse new operations and queue the stop behind everything accepted."""
        self.closed = True
        self.handoff()
        self.queue.put(_Stop(done))

    def handoff(self) -> None:
        if self.buffer:
            batch, self.buffer = self.buffer, []
            self.queue.put(batch)

    def release(self, count: int) -> None:
        self.accepted -= count
        if self.accepted == 0 and self.idle is not None and not self.idle.done():
            self.idle.set_result(None)

    async def wait_idle(self) -> None:
        if self.accepted:
            self.idle = self.loop.create_future()
            await self.idle

    def settle(self, ops: list[_Op]) -> None:
        for op in ops:
            future = op.future
            if not future.done():  # a cancelled caller's operation still ran
                if op.error is not None:
                    future.set_exception(op.error)
                else:
                    future.set_result(op.result)
            self.slots.release()
        self.admitted -= len(ops)
        self.release(len(ops))

    # thread side

    def _post(self, callback: Callable[..., None], *args: Any) -> None:
        try:
            self.loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            log.debug("%s: event loop closed, result dropped", self.where)

    def _main(self) -> None:
        try:
            self.conn = self._open()
        except Exception as exc:  # reported to startup()
            self._post(_settle_future, self.ready, self._wrap(exc, "startup"))
            return
        self._post(_settle_future, self.ready, None)
        while True:
            try:
                items = [self.queue.get(timeout=None if self.watch is None else WATCH_SECONDS)]
            except queue.Empty:  # idle: is the file still there?
                self._check_file()
                continue
            while True:
                try:
                    items.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            ops: list[_Op] = []
            stop: _Stop | None = None
            for item in items:
                if isinstance(item, _Stop):
                    stop = item
                else:
                    ops.extend(item)
            if ops:
                self._run_batch(ops)
            if stop is not None:
                error = self._close()
                if stop.future is not None:
                    self._post(_settle_future, stop.future, error)
                return

    def _open(self) -> sqlite3.Connection:
        if self.read_only:
            return self._open_read_only()
        existed = not self.memory and self.path.exists()
        conn = sqlite3.connect(os.fspath(self.path), timeout=self.timeout, isolation_level=None)
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() not in ("wal", "memory"):
                log.warning(
                    "%s: SQLite refused WAL journaling (journal_mode=%s); writes will block "
                    "readers. Put the database on a local file system.", self.where, mode
                )  # fmt: skip
            conn.execute("PRAGMA synchronous=NORMAL")
            self._create_schema(conn)
            if not self.memory:
                self.watch = FileWatch(self.path, self.where)
                self._log_found(conn, existed=existed)
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        """Open the file without creating or changing anything (``jobify jobs``)."""
        if self.memory:
            msg = (
                f"{self.where}: a ':memory:' database lives only inside the app that opened "
                "it; there is nothing to read from outside"
            )
            raise StorageNotFoundError(msg)
        if not self.path.is_file():
            msg = (
                f"SQLite file {str(self.path)!r} does not exist (opened read-only, so it was "
                "not created). Check the database option and the directory you run in"
            )
            raise StorageNotFoundError(msg)
        # mode=ro never creates the file; SQLite may add the -wal/-shm files a WAL read needs
        uri = f"{self.path.as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
        try:
            self._check_table_exists(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_table_exists(self, conn: sqlite3.Connection) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if self.table not in tables:
            found = ", ".join(repr(t) for t in sorted(tables)) or "none"
            msg = (
                f"SQLite file {str(self.path)!r} holds no table {self.table!r} (tables: "
                f"{found}); check the table_name option"
            )
            raise StorageNotFoundError(msg)

    def _log_found(self, conn: sqlite3.Connection, *, existed: bool) -> None:
        """Say at startup which file was opened and what it holds (a wrong cwd shows here)."""
        total, aside = conn.execute(
            f"SELECT count(*), count(quarantined_reason) FROM {_quote(self.table)}"  # noqa: S608
        ).fetchone()
        held = f"{total} stored job(s)" + (f", {aside} of them set aside" if aside else "")
        if existed:
            log.info("SQLite file %s, table %r: %s", self.path, self.table, held)
        else:
            log.info("SQLite file %s created (it did not exist), table %r", self.path, self.table)

    def _check_file(self) -> None:
        """Log at ERROR when the database or lock file was deleted or replaced (see _guard)."""
        if self.watch is not None:
            self.watch.check(self._count_rows)
        if self.lock is not None:
            self.lock.recheck(_describe(self.path, self.table))

    def _count_rows(self) -> int | None:
        conn = self.conn
        if conn is None:
            return None
        try:
            found = conn.execute(f"SELECT count(*) FROM {_quote(self.table)}").fetchone()  # noqa: S608
        except sqlite3.Error:
            return None
        return int(found[0])

    def lock_scheduler(self) -> None:
        """Take the scheduler lock of this table (worker thread; see _guard)."""
        if self.lock is None and not self.memory:
            self.lock = SchedulerLockFile.acquire(
                lock_path(self.path, self.table), _describe(self.path, self.table)
            )

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        table, meta = _quote(self.table), _quote(f"{self.table}_meta")
        conn.execute("BEGIN IMMEDIATE")  # two processes starting at once must not race
        try:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {meta} (key TEXT PRIMARY KEY, value TEXT)")
            found = conn.execute(
                f"SELECT value FROM {meta} WHERE key = 'schema_version'"  # noqa: S608
            ).fetchone()
            if found is None:
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} ("
                    "job_id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, "
                    "message BLOB NOT NULL, status TEXT NOT NULL, next_run_at TEXT NOT NULL, "
                    "quarantined_reason TEXT)"
                )
                # a table made by another version (jobify 0.14) is adopted in place
                columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                missing = [c for c in _COLUMNS if c not in columns]
                if missing:
                    msg = (
                        f"{self.where}: the existing table lacks the columns "
                        f"{', '.join(missing)}; it was not made by jobify. Choose another "
                        "table_name or another database file"
                    )
                    raise SQLiteStorageError(msg)  # noqa: TRY301 - rolled back below
                if "quarantined_reason" not in columns:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN quarantined_reason TEXT")
                conn.execute(
                    f"INSERT INTO {meta} (key, value) VALUES ('schema_version', ?)",  # noqa: S608
                    (str(SCHEMA_VERSION),),
                )
            elif str(found[0]) != str(SCHEMA_VERSION):
                msg = (
                    f"{self.where}: the table has schema version {found[0]!r}, this "
                    f"jobify-storage-sqlite reads version {SCHEMA_VERSION}. Upgrade "
                    "jobify-storage-sqlite, or use another table_name or database file"
                )
                raise SQLiteStorageError(msg)  # noqa: TRY301 - rolled back below
            else:
                # a write, so that a read-only file fails here and not at the first job
                conn.execute(f"UPDATE {meta} SET value = value WHERE key = 'schema_version'")  # noqa: S608
            conn.execute("COMMIT")
        except BaseException:
            self._rollback(conn)
            raise

    def _close(self) -> BaseException | None:
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.release()
        conn, self.conn = self.conn, None
        if conn is None:
            return None
        try:
            conn.close()
        except sqlite3.Error as exc:
            return self._wrap(exc, "shutdown")
        return None

    def _rollback(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("%s: rollback failed", self.where)

    def _run_batch(self, ops: list[_Op]) -> None:
        conn = self.conn
        assert conn is not None  # noqa: S101 - set before the first batch
        tally = _Tally()
        writes = any(op.writes for op in ops)
        if writes and self.watch is not None:
            self._check_file()  # one stat per batch: a deleted file is seen at the next write
        try:
            conn.execute("BEGIN IMMEDIATE" if writes else "BEGIN")
            for op in ops:
                op.result = op.fn(conn, tally)
            conn.execute("COMMIT")
        except Exception as exc:  # handed to the callers, never lost
            self._rollback(conn)
            if len(ops) > 1 and not isinstance(exc, sqlite3.OperationalError):
                # something in one operation, not the database: find out which
                self.counters.failed(0)
                for op in ops:
                    self._run_batch([op])
                return
            self.counters.failed(len(ops))
            for op in ops:
                op.result = None
                op.error = self._wrap(exc, op.what)
        else:
            self.counters.committed(len(ops), tally)
        self._post(self.settle, ops)

    def _wrap(self, exc: BaseException, what: str) -> BaseException:
        if isinstance(exc, SQLiteStorageError) or not isinstance(exc, sqlite3.Error):
            return exc
        text = str(exc)
        lowered = text.lower()
        if "locked" in lowered or "busy" in lowered:
            fix = (
                f"another connection held a write lock for more than timeout={self.timeout}s; "
                "stop the other writer or raise timeout"
            )
        elif "readonly" in lowered or "read-only" in lowered:
            fix = "make the file, its -wal/-shm files and its directory writable"
        elif "unable to open" in lowered:
            fix = f"check that the directory of {str(self.database)!r} exists and is writable"
        elif "no such table" in lowered:
            fix = "the table was dropped behind the storage's back; restart the app to recreate it"
        elif "not a database" in lowered or "malformed" in lowered:
            fix = "the file is not a healthy SQLite database; restore it or use another file"
        else:
            fix = "see the sqlite3 error above (the __cause__)"
        error = SQLiteStorageError(f"{self.where}.{what}(): {type(exc).__name__}: {text}. {fix}")
        error.__cause__ = exc
        return error


def _settle_future(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(None)


# --- the storage ---------------------------------------------------------------


@attrs.define(eq=False, repr=False)
class SQLiteStorage(Storage, SchedulerLock, InspectableStorage):
    """Durable jobs in one SQLite file; concurrent writes become one transaction.

    All disk I/O runs on a worker thread owned by the storage, started by
    :meth:`startup` and joined by :meth:`shutdown`; calls made from the event
    loop in the same loop turn are committed together. Rows that cannot be
    decoded can be set aside (:meth:`set_aside`) instead of being deleted.

    Args:
        database: the SQLite file, created if missing (its directory must
            exist); relative paths are resolved when the storage starts.
            ``":memory:"`` keeps the jobs only as long as the storage runs.
        table_name: the jobs table, a plain identifier
            (``[A-Za-z_][A-Za-z0-9_]*``); ``<table_name>_meta`` is created
            beside it. Several apps may share one file with different tables.
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
    _state: _State = attrs.field(init=False, default=_State.NEW)
    _runner: _Runner | None = attrs.field(init=False, default=None)
    _counters: _Counters = attrs.field(init=False, factory=_Counters)
    _stopped: asyncio.Future[None] | None = attrs.field(init=False, default=None)
    _read_only: bool = attrs.field(init=False, default=False)

    def __repr__(self) -> str:
        return (
            f"SQLiteStorage({str(self.database)!r}, table_name={self.table_name!r}, "
            f"timeout={self.timeout!r}, max_queue_size={self.max_queue_size!r})"
        )

    @property
    def _where(self) -> str:
        return f"SQLiteStorage({str(self.database)!r}, table {self.table_name!r})"

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
        if self._state in (_State.STARTING, _State.RUNNING, _State.STOPPING):
            msg = (
                f"{self._where}.startup(): the storage is {self._state.value} already; "
                "call shutdown() before starting it again"
            )
            raise SQLiteStorageStateError(msg)
        runner = _Runner(self, asyncio.get_running_loop(), self._counters)
        self._state = _State.STARTING
        try:
            await runner.start()
        except BaseException:
            self._state = _State.NEW
            raise
        self._runner = runner
        self._stopped = None
        self._state = _State.RUNNING

    async def shutdown(self) -> None:
        """Finish every accepted operation, close the file and join the thread.

        Calling it again, or before :meth:`startup`, does nothing.

        Raises:
            SQLiteStorageError: closing the connection failed (the thread
                has exited all the same).
        """
        runner = self._runner
        if runner is None or self._state in (_State.NEW, _State.STOPPED):
            return
        loop = asyncio.get_running_loop()
        if self._state is _State.STOPPING:
            if self._stopped is not None and loop is runner.loop:
                await asyncio.shield(self._stopped)
            return
        self._state = _State.STOPPING
        if loop is not runner.loop:
            # started on another (likely closed) loop: its callers cannot be answered
            runner.queue.put(_Stop(None))
            await asyncio.to_thread(runner.thread.join)
            self._finish_stop()
            return
        self._stopped = loop.create_future()
        try:
            await runner.wait_idle()  # every accepted call is answered first
        except BaseException:
            runner.close(None)  # cancelled: the thread still finishes what it holds
            self._finish_stop()
            raise
        done: asyncio.Future[None] = loop.create_future()
        runner.close(done)
        try:
            await asyncio.shield(done)
            runner.thread.join()  # it resolved `done` as its last act
        finally:
            self._finish_stop()

    def _finish_stop(self) -> None:
        self._state = _State.STOPPED
        self._runner = None
        if self._stopped is not None and not self._stopped.done():
            self._stopped.set_result(None)

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

        def lock(conn: sqlite3.Connection, tally: _Tally) -> None:
            del conn, tally
            runner.lock_scheduler()

        runner = self._check_running("lock_scheduler")
        await self._call("lock_scheduler", lock, writes=False)

    def describe(self) -> str:
        """Say where the jobs live: the file (made absolute) and the table."""
        path = self.database if _is_memory(self.database) else Path(os.path.abspath(self.database))
        runner = self._runner
        if runner is not None:
            path = runner.path  # what was opened, whatever the working directory is now
        return _describe(path, self.table_name)

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
        runner = self._runner
        if runner is None:
            return self._counters.snapshot(0, 0)
        return self._counters.snapshot(runner.admitted, runner.accepted - runner.admitted)

    # --- the Storage contract ----------------------------------------------------

    async def get_schedules(self) -> list[ScheduledJob]:
        """Return every stored row that is not set aside, soonest first.

        A row whose columns cannot be decoded (a status that is not a
        ``JobStatus``, a time that is not a time) is logged and set aside
        instead of failing the call, so one bad row never blocks startup.
        """
        table = _quote(self.table_name)
        where = self._where
        sql = (
            f"SELECT job_id, name, message, status, next_run_at FROM {table} "  # noqa: S608
            "WHERE quarantined_reason IS NULL ORDER BY next_run_at, job_id"
        )
        mark = f"UPDATE {table} SET quarantined_reason = ? WHERE job_id = ?"  # noqa: S608
        read_only = self._read_only

        def read(conn: sqlite3.Connection, tally: _Tally) -> list[ScheduledJob]:
            rows: list[ScheduledJob] = []
            bad: list[tuple[str, Any]] = []
            for raw in conn.execute(sql):
                try:
                    rows.append(_from_row(raw))
                except (TypeError, ValueError) as exc:
                    bad.append((f"the stored row cannot be decoded: {exc}", raw[0]))
            if read_only:
                return rows  # only listing: undecodable rows stay as they are
            for reason, job_id in bad:
                log.warning("%s: stored job %r set aside: %s", where, job_id, reason)
            if bad:
                try:
                    tally.set_aside += conn.executemany(mark, bad).rowcount
                except sqlite3.Error:
                    log.exception("%s: could not mark %d undecodable row(s)", where, len(bad))
            return rows

        rows: list[ScheduledJob] = await self._call("get_schedules", read, writes=False)
        return rows

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        """Insert or replace ``scheduled`` rows; return once they are committed.

        Replacing a row also clears its set-aside mark.

        Raises:
            TypeError: a row has a value of the wrong type (raised before
                anything is queued).
            ValueError: a row's status is not a ``JobStatus`` or its
                ``next_run_at`` is naive.
            SQLiteStorageError: the transaction failed.
            SQLiteStorageStateError: the storage is not running.
        """
        where = f"{self._where}.add_schedule()"
        params = [_to_params(job, where) for job in scheduled]
        sql = (
            f"INSERT INTO {_quote(self.table_name)} "  # noqa: S608
            "(job_id, name, message, status, next_run_at, quarantined_reason) "
            "VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT (job_id) DO UPDATE SET "
            "name = excluded.name, message = excluded.message, status = excluded.status, "
            "next_run_at = excluded.next_run_at, quarantined_reason = NULL"
        )

        def write(conn: sqlite3.Connection, tally: _Tally) -> None:
            conn.executemany(sql, params)
            tally.written += len(params)

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

    async def _delete(self, what: str, job_ids: Sequence[str]) -> None:
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
        sql = f"DELETE FROM {_quote(self.table_name)} WHERE job_id = ?"  # noqa: S608

        def delete(conn: sqlite3.Connection, tally: _Tally) -> None:
            tally.deleted += conn.executemany(sql, params).rowcount

        if not params:
            self._check_running(what)
            return
        await self._call(what, delete, writes=True)

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
        sql = f"UPDATE {_quote(self.table_name)} SET quarantined_reason = ? WHERE job_id = ?"  # noqa: S608

        def mark(conn: sqlite3.Connection, tally: _Tally) -> None:
            tally.set_aside += conn.execute(sql, (text, job_id)).rowcount

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
            f"FROM {_quote(self.table_name)} WHERE quarantined_reason IS NOT NULL "
            "ORDER BY next_run_at, job_id"
        )

        def read(conn: sqlite3.Connection, tally: _Tally) -> list[tuple[ScheduledJob, str]]:
            return [(_from_row_leniently(raw), str(raw[5])) for raw in conn.execute(sql)]

        rows: list[tuple[ScheduledJob, str]] = await self._call(
            "get_quarantined", read, writes=False
        )
        return rows

    # --- plumbing ----------------------------------------------------------------

    def _check_running(self, what: str) -> _Runner:
        runner = self._runner
        if runner is None or self._state is not _State.RUNNING:
            if self._state is _State.NEW:
                fix = "call `await storage.startup()` first (an app does it in `async with app`)"
            else:
                fix = "call `await storage.startup()` to use it again"
            msg = f"{self._where}.{what}(): the storage is {self._state.value}; {fix}"
            raise SQLiteStorageStateError(msg)
        if asyncio.get_running_loop() is not runner.loop:
            msg = (
                f"{self._where}.{what}(): called from another event loop than the one that "
                "ran startup(); use the storage from one loop, or shut it down and start it "
                "on the new loop"
            )
            raise SQLiteStorageStateError(msg)
        return runner

    async def _call(self, what: str, fn: _OpFn, *, writes: bool) -> Any:
        runner = self._check_running(what)
        if writes and self._read_only:
            msg = (
                f"{self._where}.{what}(): this storage was opened with read_only() and "
                "writes nothing; use the storage itself"
            )
            raise SQLiteStorageStateError(msg)
        runner.accepted += 1
        try:
            await runner.slots.acquire()  # back-pressure: wait while the queue is full
        except BaseException:
            runner.release(1)
            raise
        if runner.closed:  # shutdown() was cancelled while this call waited for room
            runner.slots.release()
            runner.release(1)
            msg = f"{self._where}.{what}(): the storage was shut down while the call waited"
            raise SQLiteStorageStateError(msg)
        runner.admitted += 1
        op = _Op(fn, runner.loop.create_future(), what, writes=writes)
        runner.submit(op)
        return await op.future
