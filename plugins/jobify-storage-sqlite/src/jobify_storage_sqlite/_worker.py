"""The storage's handle on its worker thread: the lifecycle, and admitting calls.

A :class:`Worker` lives as long as its storage. It knows the state (not
started, starting, running, shutting down, shut down), starts a
:class:`~._runner.Runner` at each ``startup`` and stops it at ``shutdown``,
and keeps the counters across restarts. Every operation goes through
:meth:`Worker.call`, which refuses calls the state does not allow (with the
fix in the message), waits for room in the queue and hands the operation to
the running thread.
"""

from __future__ import annotations

import asyncio
import enum
from pathlib import Path
from typing import Any, Protocol

import attrs

from jobify_storage_sqlite._errors import SQLiteStorageStateError
from jobify_storage_sqlite._runner import OpFn, Runner, Settings
from jobify_storage_sqlite._schema import Layout, Names
from jobify_storage_sqlite._statistics import Counters, SQLiteStatistics

__all__ = ("Options", "State", "Timings", "Worker")


class State(enum.Enum):
    NEW = "not started"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "shutting down"
    STOPPED = "shut down"


class Options(Protocol):
    """The storage's options, read when it starts (and for naming it in messages)."""

    @property
    def database(self) -> Path: ...
    @property
    def table_name(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def max_queue_size(self) -> int: ...


@attrs.frozen(kw_only=True)
class Timings:
    """How often the thread looks at the feed and the file, and how long changes are kept."""

    feed_seconds: float
    watch_seconds: float
    changes_kept_seconds: float


class Worker:
    """Starts and stops the worker thread of one storage, and hands it the storage's calls."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.state = State.NEW
        self.runner: Runner | None = None
        self.counters = Counters()
        self.stopped: asyncio.Future[None] | None = None
        self.read_only = False
        self._where: tuple[Any, str] = (None, "")
        self._names: Names | None = None

    @property
    def where(self) -> str:
        """The storage as messages name it: ``SQLiteStorage('jobify.db', table 'jobs')``."""
        options = self.options
        key = (options.database, options.table_name)
        if self._where[0] != key:  # options may change while stopped: made again then
            text = f"SQLiteStorage({str(key[0])!r}, table {key[1]!r})"
            self._where = (key, text)
        return self._where[1]

    @property
    def names(self) -> Names:
        """The quoted names of the storage's tables."""
        table = self.options.table_name
        names = self._names
        if names is None or names.table != table:
            names = self._names = Names(table)
        return names

    def layout(self) -> Layout:
        """What the open file holds; the full layout while not started."""
        runner = self.runner
        return Layout() if runner is None else runner.layout

    def statistics(self) -> SQLiteStatistics:
        """A snapshot of the counters, with the calls queued and waiting now."""
        runner = self.runner
        if runner is None:
            return self.counters.snapshot(0, 0)
        return self.counters.snapshot(runner.queued, runner.waiting)

    async def start(self, timings: Timings, *, read_only: bool) -> None:
        """Start the thread with the options as they are now (``SQLiteStorage.startup``)."""
        if self.state in (State.STARTING, State.RUNNING, State.STOPPING):
            msg = (
                f"{self.where}.startup(): the storage is {self.state.value} already; "
                "call shutdown() before starting it again"
            )
            raise SQLiteStorageStateError(msg)
        options = self.options
        settings = Settings(
            where=self.where,
            database=options.database,
            table=options.table_name,
            timeout=float(options.timeout),
            max_queue_size=options.max_queue_size,
            read_only=read_only,
            feed_seconds=timings.feed_seconds,
            watch_seconds=timings.watch_seconds,
            changes_kept_seconds=timings.changes_kept_seconds,
        )
        runner = Runner(settings, asyncio.get_running_loop(), self.counters)
        self.read_only = read_only
        self.state = State.STARTING
        try:
            await runner.start()
        except BaseException:
            self.state = State.NEW
            raise
        self.runner = runner
        self.stopped = None
        self.state = State.RUNNING

    async def stop(self) -> None:
        """Answer every accepted call, then stop the thread (``SQLiteStorage.shutdown``)."""
        runner = self.runner
        if runner is None or self.state in (State.NEW, State.STOPPED):
            return
        loop = asyncio.get_running_loop()
        if self.state is State.STOPPING:
            if self.stopped is not None and loop is runner.loop:
                await asyncio.shield(self.stopped)
            return
        self.state = State.STOPPING
        if loop is not runner.loop:
            # started on another (likely closed) loop: its callers cannot be answered
            runner.abandon()
            await asyncio.to_thread(runner.join)
            self._finish_stop()
            return
        self.stopped = loop.create_future()
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
            runner.join()  # it resolved `done` as its last act
        finally:
            self._finish_stop()

    def _finish_stop(self) -> None:
        self.state = State.STOPPED
        self.runner = None
        if self.stopped is not None and not self.stopped.done():
            self.stopped.set_result(None)

    def check_running(self, what: str) -> Runner:
        """The running runner; raises ``SQLiteStorageStateError`` naming ``what`` and the fix."""
        runner = self.runner
        if runner is None or self.state is not State.RUNNING:
            if self.state is State.NEW:
                fix = "call `await storage.startup()` first (an app does it in `async with app`)"
            else:
                fix = "call `await storage.startup()` to use it again"
            msg = f"{self.where}.{what}(): the storage is {self.state.value}; {fix}"
            raise SQLiteStorageStateError(msg)
        if asyncio.get_running_loop() is not runner.loop:
            msg = (
                f"{self.where}.{what}(): called from another event loop than the one that "
                "ran startup(); use the storage from one loop, or shut it down and start it "
                "on the new loop"
            )
            raise SQLiteStorageStateError(msg)
        return runner

    async def call(self, what: str, fn: OpFn, *, writes: bool) -> Any:
        """Run ``fn`` in the next write batch of the worker thread and return its result."""
        runner = self.check_running(what)
        if writes and self.read_only:
            msg = (
                f"{self.where}.{what}(): this storage was opened with read_only() and "
                "writes nothing; use the storage itself"
            )
            raise SQLiteStorageStateError(msg)
        if not await runner.admit():
            msg = f"{self.where}.{what}(): the storage was shut down while the call waited"
            raise SQLiteStorageStateError(msg)
        return await runner.submit(fn, what, writes=writes)
