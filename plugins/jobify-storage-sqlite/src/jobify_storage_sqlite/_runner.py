"""The worker thread of one started storage: group commit and back-pressure.

Every call made from the event loop becomes an :class:`Op` in a loop-side
buffer; the whole buffer is handed over once per loop turn, and runs in ONE
transaction before every caller's future is resolved. Handed to the thread,
it shares that transaction with everything else the thread received (one
``call_soon_threadsafe`` per batch). A small batch made while the thread
holds nothing commits on the loop's thread instead, unless another
connection holds the write lock: one transaction of a few rows costs less
than the two thread switches of the round trip (profiled: a durable push
awaited alone spent most of its time in them). The event loop never waits
for a lock, nor for a WAL checkpoint: the connection's automatic checkpoint
is off and the thread checkpoints, on a connection of its own, mostly while
the loop's thread goes on committing.

:class:`Slots` bounds the operations accepted and not yet finished
(``max_queue_size``); further callers wait in line. A batch that fails is
rolled back and its callers get the error; when the failure is not
environmental (a locked or read-only file fails every operation alike) each
operation is retried in its own transaction, so one bad operation cannot fail
its neighbours. The thread survives every error. Between batches it looks at
the change feed and at the file when those looks are due.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from jobify_storage_sqlite._database import Database, is_memory
from jobify_storage_sqlite._errors import storage_error
from jobify_storage_sqlite._feed import FeedWatch, Tombstones
from jobify_storage_sqlite._schema import Layout
from jobify_storage_sqlite._slots import Slots
from jobify_storage_sqlite._statistics import Counters

__all__ = ("OpFn", "Runner", "Settings", "Tally")

log = logging.getLogger("jobify.storage.sqlite")

INLINE_OPS = 8
"""A batch of at most this many calls may commit on the loop's thread (Runner.handoff)."""
WAL_RESTART_FRAMES = 4000
"""A WAL longer than this (16 MB of 4 KB pages) is started over at the next checkpoint."""
LOCK_CHECK_SECONDS = 0.05
"""Writing batches look at the lock file at most this often (the database file: each one)."""
CHECKPOINT_WEIGHT = 200
"""Rows written, plus one per commit, between two WAL checkpoints (about 4 MB of WAL
for one-row commits, as SQLite's default of 1,000 pages)."""


@attrs.frozen(kw_only=True)
class Settings:
    """What one runner works with: the storage's options when it started, and its timings."""

    where: str  # the storage, as error messages name it
    database: Path  # as configured; resolved against the working directory at start
    table: str
    timeout: float
    max_queue_size: int
    read_only: bool
    feed_seconds: float  # how often a watched feed asks PRAGMA data_version
    watch_seconds: float  # how often an idle thread looks at the file (see _guard)
    changes_kept_seconds: float  # how long a change entry is kept for the feed


RETURNING = sqlite3.sqlite_version_info >= (3, 35)
"""SQLite has ``UPDATE ... RETURNING``: the version stamp is one statement, not two."""


class Stamp:
    """The statements of a batch's version stamp, made once per runner."""

    __slots__ = ("bump", "read")

    def __init__(self, meta: str) -> None:
        self.bump = (
            f"UPDATE {meta} SET value = CAST(value AS INTEGER) + 1 "  # noqa: S608
            "WHERE key = 'version'" + (" RETURNING value" if RETURNING else "")
        )
        self.read = f"SELECT value FROM {meta} WHERE key = 'version'"  # noqa: S608


class Tally:
    """Rows one batch touched, added to the counters only if it commits; its version stamp."""

    __slots__ = ("bump", "deleted", "read", "set_aside", "version", "written")

    def __init__(self, stamp: Stamp) -> None:
        self.written = self.deleted = self.set_aside = 0
        self.bump = stamp.bump
        self.read = stamp.read
        self.version: int | None = None

    def stamp(self, conn: sqlite3.Connection) -> int:
        """The version of this batch: the counter in the meta table, bumped once per batch.

        Batches that change rows commit one at a time (``BEGIN IMMEDIATE``), so
        versions grow in commit order and a reader's cursor misses nothing.
        """
        if self.version is None:
            if RETURNING:
                found = conn.execute(self.bump).fetchone()
            else:
                conn.execute(self.bump)
                found = conn.execute(self.read).fetchone()
            self.version = int(found[0])
        return self.version


OpFn = Callable[[sqlite3.Connection, Tally], Any]
"""What an operation runs on the worker thread, inside the batch's transaction."""


class Op:
    """One call waiting for the worker: what to run, and the caller's future."""

    __slots__ = ("error", "fn", "future", "result", "what", "writes")

    def __init__(self, fn: OpFn, future: asyncio.Future[Any], what: str, *, writes: bool) -> None:
        self.fn = fn
        self.future = future
        self.what = what
        self.writes = writes
        self.result: Any = None
        self.error: BaseException | None = None


class _Watch:
    """Tells the worker to call ``callback`` on the loop when another connection writes."""

    __slots__ = ("callback",)

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback


class _Checkpoint:
    """Wakes the thread to checkpoint the WAL after commits made on the loop's thread."""

    __slots__ = ()


class _Stop:
    """Tells the worker to finish what it holds, close the connection and exit."""

    __slots__ = ("future",)

    def __init__(self, future: asyncio.Future[None] | None) -> None:
        self.future = future


def _settle_future(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(None)


class Runner:
    """One started session: the worker thread, its connection and the loop-side queue."""

    def __init__(
        self, settings: Settings, loop: asyncio.AbstractEventLoop, counters: Counters
    ) -> None:
        self.loop = loop
        self.settings = settings
        self.where = settings.where
        database = settings.database
        self.path = database if is_memory(database) else Path(os.path.abspath(database))
        self.db = Database(
            self.path,
            settings.table,
            timeout=settings.timeout,
            read_only=settings.read_only,
            where=settings.where,
        )
        self.feed = FeedWatch(self._post, interval=settings.feed_seconds, where=settings.where)
        self.tombstones = Tombstones(
            self.db.names.changes, kept_seconds=settings.changes_kept_seconds
        )
        self.next_file_check = 0.0
        self.next_lock_check = 0.0
        self.stamp = Stamp(self.db.names.meta)
        self.counters = counters
        self.slots = Slots(loop, settings.max_queue_size)
        self.queue: queue.SimpleQueue[list[Op] | _Stop | _Watch | _Checkpoint] = queue.SimpleQueue()
        # one thread at a time uses the connection: the worker, or the loop's
        # thread for a small batch while the worker holds nothing (handoff)
        self.busy = threading.Lock()
        self.unchecked = 0  # weight written since the last WAL checkpoint
        # the connection's busy timeout: the configured one (the thread waits for a lock)
        # or none (the loop's thread never does); set again only when the other one uses it
        self.waits_for_lock = True
        self.checkpoint_asked = False
        self.buffer: list[Op] = []
        self.accepted = 0  # calls between entry and answer, waiting for room included
        self.admitted = 0  # calls holding a queue slot
        self.closed = False
        self.idle: asyncio.Future[None] | None = None
        self.ready: asyncio.Future[None] = loop.create_future()
        self.thread = threading.Thread(
            target=self._main,
            name=f"jobify-sqlite:{database.name}:{settings.table}",
            daemon=True,  # a forgotten shutdown() must not hang interpreter exit
        )

    @property
    def layout(self) -> Layout:
        """What the file holds (less than the full layout only for read_only() on an old file)."""
        return self.db.layout

    @property
    def queued(self) -> int:
        """Calls holding a queue place and not answered yet."""
        return self.admitted

    @property
    def waiting(self) -> int:
        """Calls waiting for a queue place (back-pressure)."""
        return self.accepted - self.admitted

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

    async def admit(self) -> bool:
        """Take a queue place for one call, waiting while the queue is full.

        False when the runner was closed while the call waited (a cancelled
        shutdown); the place is given back.
        """
        self.accepted += 1
        try:
            await self.slots.acquire()  # back-pressure: wait while the queue is full
        except BaseException:
            self._answered(1)
            raise
        if self.closed:  # shutdown() was cancelled while this call waited for room
            self.slots.release()
            self._answered(1)
            return False
        self.admitted += 1
        return True

    def submit(self, fn: OpFn, what: str, *, writes: bool) -> asyncio.Future[Any]:
        """Queue an admitted call for the next batch; its future gets the answer."""
        op = Op(fn, self.loop.create_future(), what, writes=writes)
        self.buffer.append(op)
        if len(self.buffer) == 1:
            # hand over once per loop turn: everything issued in this turn is one batch
            self.loop.call_soon(self.handoff)
        return op.future

    def watch(self, on_change: Callable[[], None]) -> None:
        """Have the worker call ``on_change`` on the loop when another connection writes."""
        self.handoff()  # after the operations issued before it
        self.queue.put(_Watch(on_change))

    def close(self, done: asyncio.Future[None] | None) -> None:
        """Refuse new operations and queue the stop behind everything accepted."""
        self.closed = True
        self.handoff()
        self.queue.put(_Stop(done))

    def abandon(self) -> None:
        """Stop the thread without answering anyone: its event loop is gone."""
        self.queue.put(_Stop(None))

    def join(self) -> None:
        """Wait for the thread to exit."""
        self.thread.join()

    def handoff(self) -> None:
        """Commit the buffered operations as one batch: here if small and alone, else on the thread.

        Here: at most INLINE_OPS calls, none other in hand (queued, running or
        not answered yet), the thread idle, and the write lock free at once.
        """
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        if len(batch) <= INLINE_OPS and self.admitted == len(batch) and self._inline(batch):
            return
        self.queue.put(batch)

    def _inline(self, ops: list[Op]) -> bool:
        """Run ``ops`` on the loop's thread; False (nothing done) when something is in the way."""
        if not self.queue.empty() or not self.busy.acquire(blocking=False):
            return False
        try:
            if self.db.conn is None or not self._run_batch(ops, wait=False):
                return False
        finally:
            self.busy.release()
        if self.unchecked >= CHECKPOINT_WEIGHT and not self.checkpoint_asked:
            self.checkpoint_asked = True
            self.queue.put(_Checkpoint())
        return True

    def _answered(self, count: int) -> None:
        self.accepted -= count
        if self.accepted == 0 and self.idle is not None and not self.idle.done():
            self.idle.set_result(None)

    async def wait_idle(self) -> None:
        """Return once every accepted call is answered."""
        if self.accepted:
            self.idle = self.loop.create_future()
            await self.idle

    def _settle(self, ops: list[Op]) -> None:
        for op in ops:
            future = op.future
            if not future.done():  # a cancelled caller's operation still ran
                if op.error is not None:
                    future.set_exception(op.error)
                else:
                    future.set_result(op.result)
            self.slots.release()
        self.admitted -= len(ops)
        self._answered(len(ops))

    # thread side

    def lock_scheduler(self) -> None:
        """Take the scheduler lock of this table (worker thread; see _guard)."""
        self.db.lock_scheduler()

    def _post(self, callback: Callable[..., None], *args: Any) -> None:
        try:
            self.loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            log.debug("%s: event loop closed, result dropped", self.where)

    def _main(self) -> None:
        try:
            self.db.open()
        except Exception as exc:  # reported to startup()
            self._post(_settle_future, self.ready, self._error(exc, "startup"))
            return
        self._post(_settle_future, self.ready, None)
        self.next_file_check = time.monotonic() + self.settings.watch_seconds
        while True:
            try:
                items = [self.queue.get(timeout=self._idle_timeout())]
            except queue.Empty:  # idle: time to look at the file or at the change feed
                with self.busy:
                    self._wait_for_lock(wait=True)
                    self._tick()
                continue
            while True:
                try:
                    items.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            with self.busy:
                self._wait_for_lock(wait=True)
                if self._work(items):
                    return
                due = self.unchecked >= CHECKPOINT_WEIGHT
                if due:
                    self.unchecked = 0
                    self.checkpoint_asked = False
            # outside the lock: the loop's thread goes on committing meanwhile (a
            # checkpoint of 200 commits takes ms, most of it fsync). The WAL starts over
            # only after a checkpoint no commit overlapped: once it is long, one more
            # inside the lock, of the few frames committed meanwhile
            if due and self.db.checkpoint() > WAL_RESTART_FRAMES:
                with self.busy:
                    self.db.checkpoint()

    def _work(self, items: list[list[Op] | _Stop | _Watch | _Checkpoint]) -> bool:
        """Do what was queued, in order of arrival; True once told to stop."""
        ops: list[Op] = []
        stop: _Stop | None = None
        for item in items:
            if isinstance(item, _Stop):
                stop = item
            elif isinstance(item, _Watch):
                self.feed.start(self.db.conn, item.callback)
            elif isinstance(item, list):
                ops.extend(item)
        if ops:
            self._run_batch(ops)
        if stop is not None:
            error = self._close()
            if stop.future is not None:
                self._post(_settle_future, stop.future, error)
            return True
        self._tick()
        return False

    def _idle_timeout(self) -> float | None:
        """Seconds until the next look at the file or the feed; None: nothing to look at."""
        deadlines = []
        if self.db.guarded:
            deadlines.append(self.next_file_check)
        feed = self.feed.deadline()
        if feed is not None:
            deadlines.append(feed)
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - time.monotonic())

    def _tick(self) -> None:
        """Do the looks that are due: the change feed, then the file."""
        now = time.monotonic()
        self.feed.tick(self.db.conn, now)
        if now >= self.next_file_check:
            self.next_file_check = now + self.settings.watch_seconds
            self.db.check_file()

    def _close(self) -> BaseException | None:
        try:
            self.db.close()
        except sqlite3.Error as exc:
            return self._error(exc, "shutdown")
        return None

    def _rollback(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("%s: rollback failed", self.where)

    def _run_batch(self, ops: list[Op], *, wait: bool = True) -> bool:
        """Run ``ops`` in one transaction and answer them.

        ``wait=False`` (the loop's thread): return False, having changed
        nothing, when another connection holds the write lock or an operation
        fails; the thread then runs the batch (and finds out which one failed).
        """
        conn = self.db.conn
        assert conn is not None  # noqa: S101 - set before the first batch
        tally = Tally(self.stamp)
        writes = any(op.writes for op in ops)
        if writes and self.db.watched:
            # a deleted file is seen at the next write; the lock file, within LOCK_CHECK_SECONDS
            now = time.monotonic()
            lock = now >= self.next_lock_check
            if lock:
                self.next_lock_check = now + LOCK_CHECK_SECONDS
            self.db.check_file(lock=lock)
        if not wait and writes and not self._begin_now(conn):
            return False
        try:
            if wait or not writes:
                conn.execute("BEGIN IMMEDIATE" if writes else "BEGIN")
            for op in ops:
                op.result = op.fn(conn, tally)
            if tally.version is not None:
                self.tombstones.trim(conn, tally.version)
            conn.execute("COMMIT")
        except Exception as exc:  # handed to the callers, never lost
            self._rollback(conn)
            if not wait:
                return False
            if len(ops) > 1 and not isinstance(exc, sqlite3.OperationalError):
                # something in one operation, not the database: find out which
                self.counters.failed(0)
                for op in ops:
                    self._run_batch([op])
                return True
            self.counters.failed(len(ops))
            for op in ops:
                op.result = None
                op.error = self._error(exc, op.what)
        else:
            self.counters.committed(
                len(ops), written=tally.written, deleted=tally.deleted, set_aside=tally.set_aside
            )
            self.unchecked += 1 + tally.written + tally.deleted
        if wait:
            self._post(self._settle, ops)
        else:
            self._settle(ops)
        return True

    def _begin_now(self, conn: sqlite3.Connection) -> bool:
        """``BEGIN IMMEDIATE`` unless another connection holds the write lock: then False."""
        self._wait_for_lock(wait=False)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        return True

    def _wait_for_lock(self, *, wait: bool) -> None:
        """Give the connection the configured busy timeout (``wait``) or none, if it has not."""
        if self.waits_for_lock is not wait and (conn := self.db.conn) is not None:
            millis = int(self.settings.timeout * 1000) if wait else 0
            conn.execute(f"PRAGMA busy_timeout = {millis}")
            self.waits_for_lock = wait

    def _error(self, exc: BaseException, what: str) -> BaseException:
        settings = self.settings
        return storage_error(
            exc, where=self.where, what=what, timeout=settings.timeout, database=settings.database
        )
