"""Telling open pages that something changed: server-sent events fed by the storage.

One :class:`ChangeHub` per dashboard counts changes and wakes every open page's
event stream (``GET /api/events``); each page then re-reads its own content.
Nothing runs while no page is open: the first subscriber starts the sources,
the last one stops them.

Sources, cheapest first:

- **the storage's change feed**, where it has one: a storage with the
  :class:`~jobify.storage.InspectableStorage` ability is opened read-only
  (``read_only()``), and when that copy is a :class:`~jobify.storage.ChangeFeed`
  its ``watch`` reports every write — the scheduler's in this process as well
  as producers' and other nodes' (SQLite's ``data_version``, PostgreSQL's
  ``LISTEN/NOTIFY``). Pushed, no query;
- **this process's kernel**, once a second: ``app.statistics()`` (memory only,
  no I/O), which moves when jobs start, end or are scheduled here;
- **run history**, once a second, only without a change feed: the id of the
  newest run (``get_runs(limit=1)``, one indexed read).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Final

from jobify.storage import ChangeFeed, InspectableStorage

if TYPE_CHECKING:
    from jobify_web.data import Board

__all__ = ("ChangeHub",)

log = logging.getLogger("jobify.web")

KEEPALIVE: Final = 15.0
"""Seconds between comment lines that keep an idle stream open through proxies."""
LINGER: Final = 10.0
"""Seconds the sources run on after the last page closed its stream: a page that follows
a link or an action opens its stream again, and what changed meanwhile is still counted."""
STREAM_LIFETIME: Final = 300.0
"""Seconds a stream lasts; the browser reconnects (``retry``), so no stream outlives a deploy."""


class ChangeHub:
    """Counts changes of one app and wakes the event streams of open pages."""

    def __init__(self, board: Board, *, tick: float = 1.0, linger: float = LINGER) -> None:
        """Watch ``board``'s app; check the kernel every ``tick`` seconds while pages are open.

        The sources run on ``linger`` seconds after the last stream ends (LINGER).
        """
        self._board = board
        self._tick = tick
        self._linger = linger
        self._linger_handle: asyncio.TimerHandle | None = None
        self.version = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()
        self._poked = asyncio.Event()
        self._ready = asyncio.Event()
        self._subscribers = 0
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.pushed = False
        """True while a storage change feed feeds the hub (shown on the page)."""

    # --- sources -------------------------------------------------------------------

    def poke(self) -> None:
        """Something changed (a change feed's callback); safe to call often."""
        self._poked.set()

    def _bump(self) -> None:
        self.version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _open_feed(self, stack: contextlib.AsyncExitStack) -> bool:
        """Watch a read-only copy of the storage when it has a change feed; True if so."""
        storage = self._board.storage
        if not isinstance(storage, InspectableStorage):
            return False
        try:
            copy: Any = storage.read_only()
            if not isinstance(copy, ChangeFeed):
                return False
            await copy.startup()
            stack.push_async_callback(copy.shutdown)
            copy.watch(self.poke)
        except Exception as exc:
            log.warning("dashboard: cannot watch the storage for changes (%s)", exc)
            return False
        return True

    async def _fingerprint(self, *, with_history: bool) -> tuple[Any, ...]:
        board = self._board
        stats = board.app.statistics() if board.started else None
        newest = None
        if with_history:
            try:
                newest = await board.newest_run()
            except Exception:
                log.debug("dashboard: reading the newest run failed", exc_info=True)
        return (board.started, stats, newest)

    async def _run(self) -> None:
        async with contextlib.AsyncExitStack() as stack:
            try:
                self.pushed = await self._open_feed(stack)
                last = await self._fingerprint(with_history=not self.pushed)
            finally:
                self._ready.set()
            while True:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._tick):
                        await self._poked.wait()
                poked = self._poked.is_set()
                self._poked.clear()
                now = await self._fingerprint(with_history=not self.pushed)
                if poked or now != last:
                    last = now
                    self._bump()

    # --- subscribers -----------------------------------------------------------------

    def touch(self) -> int:
        """A page is being rendered: run the sources (a stream follows); the version now.

        The page carries this version; its stream's ``hello`` gives the version
        then, and the page refreshes when they differ: nothing that changed
        between the render and the stream is missed.
        """
        if not self._closed:
            self._start()
            if self._subscribers == 0:
                self._stop_later()
        return self.version

    def _stop_later(self) -> None:
        if self._linger_handle is not None:
            self._linger_handle.cancel()
        loop = asyncio.get_running_loop()
        self._linger_handle = loop.call_later(self._linger, self._stop_if_unused)

    def _stop_if_unused(self) -> None:
        self._linger_handle = None
        if self._subscribers == 0:
            self._halt()  # its cleanup (the read-only copy's shutdown) finishes on its own

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # first use, or the dashboard moved to another loop (tests)
            self._loop = loop
            self._changed, self._poked, self._task = asyncio.Event(), asyncio.Event(), None
            self._ready = asyncio.Event()
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run(), name="jobify-web change hub")

    @property
    def active(self) -> bool:
        """True while the sources run (at least one page is open)."""
        return self._task is not None and not self._task.done()

    def _halt(self) -> asyncio.Task[None] | None:
        """Cancel the sources; the task, to await its end."""
        if self._linger_handle is not None:
            self._linger_handle.cancel()
            self._linger_handle = None
        task, self._task = self._task, None
        self.pushed = False
        self._ready = asyncio.Event()
        if task is not None and not task.done():
            task.cancel()
            return task
        return None

    async def _stop(self) -> None:
        task = self._halt()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        """End every stream and stop the sources (the app or the server stops)."""
        self._closed = True
        self._bump()
        await self._stop()

    async def changes(self, *, lifetime: float = STREAM_LIFETIME) -> AsyncIterator[int | None]:
        """Yield the version once the sources run, then after each change; None: keepalive.

        Ends after ``lifetime`` seconds, or when the hub closes.
        """
        if self._closed:
            return
        self._subscribers += 1
        self._start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + lifetime
        try:
            await self._ready.wait()
            yield self.version
            while not self._closed:
                left = deadline - loop.time()
                if left <= 0:
                    return
                changed = self._changed
                try:
                    async with asyncio.timeout(min(KEEPALIVE, left)):
                        await changed.wait()
                except TimeoutError:
                    if loop.time() < deadline:
                        yield None
                    continue
                if not self._closed:
                    yield self.version
        finally:
            self._subscribers -= 1
            if self._subscribers == 0:
                if self._closed or self._linger <= 0:
                    await self._stop()
                else:
                    self._stop_later()
