"""A fake clock for tests of apps that use jobify: time moves only when the test says.

Give it to an app before it starts; the app's real timer loop, cron advancing
and misfire policies then run on the fake time, and no test sleeps::

    clock = FakeClock(start=datetime(2030, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")))
    app = Jobify.from_config(clock=clock, storage=False)   # or clock.install(Jobify(...))
    async with app:
        await report.schedule().cron("0 0 1 * *", job_id="monthly")
        await clock.advance(timedelta(days=365))  # twelve runs, a few milliseconds

How it works: :class:`FakeClock` implements the kernel's
:class:`~jobify._kernel.clock.Clock` protocol, the one time source of an app's
timer loop. Its wall time is :attr:`FakeClock.now`; the alarms the timer loop
sets wait in the clock's own queue instead of the event loop's. Job runs start
through :meth:`FakeClock.spawn`, so the clock knows which tasks to wait for.
:meth:`FakeClock.advance_to` rings the due alarms in time order, sets the fake
time to each one's instant, and waits until every job run started meanwhile
has finished (cron jobs arm their next run before their run ends) before it
moves on.

Jobs that sleep on the event loop (``asyncio.sleep``) or use ``timeout=``
still use real time: the fake clock drives the scheduler, not asyncio.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from jobify import Jobify

__all__ = ("FakeClock",)


class _Alarm:
    """One alarm in the fake clock's queue."""

    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callable[[], object]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def ring(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.callback()


class FakeClock:
    """Time for one or more apps that advances only on :meth:`advance` / :meth:`advance_to`.

    Args:
        start: the initial time; must be timezone-aware.
    """

    def __init__(self, start: datetime) -> None:
        if start.utcoffset() is None:
            msg = f"FakeClock(start={start!r}): expected an aware datetime, e.g. tzinfo=UTC"
            raise ValueError(msg)
        self.now = start
        """The fake wall-clock time."""
        self._origin = start  # time() counts seconds from here: small floats keep microseconds
        self._due: list[tuple[float, int, _Alarm]] = []
        self._seq = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started: set[asyncio.Task[Any]] = set()

    def install(self, app: Jobify) -> Jobify:
        """Run ``app``'s timer loop on this clock; call it before the app starts.

        ``Jobify.from_config(clock=clock, ...)`` does the same when the app is made.

        Returns:
            The app, so that ``app = clock.install(Jobify(...))`` reads well.

        Raises:
            RuntimeError: the app is already running.
        """
        if app.configs.app_started:
            msg = "FakeClock.install(app): the app is running; install the clock before startup"
            raise RuntimeError(msg)
        app.configs.timer.use_clock(self)
        return app

    # --- the Clock protocol -------------------------------------------------------------

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Use ``loop`` for the callbacks and job runs the clock starts."""
        self._loop = loop

    def wall(self) -> datetime:
        """The fake time."""
        return self.now

    def time(self) -> float:
        """The fake time as monotonic seconds."""
        return (self.now - self._origin).total_seconds()

    def call_at(self, when: float, callback: Callable[[], object]) -> _Alarm:
        """Ring ``callback`` at fake time ``when`` (on the next loop turn if that has come)."""
        alarm = _Alarm(callback)
        if when <= self.time():
            self._running_loop().call_soon(alarm.ring)
        else:
            heapq.heappush(self._due, (when, next(self._seq), alarm))
        return alarm

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Start a job run and remember it, so :meth:`settle` waits for it."""
        task = self._running_loop().create_task(coro)
        self._started.add(task)
        return task

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop

    # --- moving time ------------------------------------------------------------------

    def pending(self) -> list[datetime]:
        """The times of the alarms still set, in order (one per app at most)."""
        return sorted(self._at(when) for when, _, alarm in self._due if not alarm.cancelled)

    def _at(self, when: float) -> datetime:
        return self._origin + timedelta(seconds=when)

    async def advance(self, delta: timedelta | float) -> None:
        """Move time forward by ``delta`` (a timedelta or seconds); see :meth:`advance_to`."""
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        if delta < timedelta(0):
            msg = f"FakeClock.advance({delta!r}): time only moves forward"
            raise ValueError(msg)
        await self.advance_to(self.now + delta)

    async def advance_to(self, target: datetime) -> None:
        """Move time to ``target``, running every job due until then, in order.

        Each due alarm rings at its own instant (``now()`` inside the job is
        its scheduled time) and the clock waits until the jobs it started have
        finished before taking the next one, so a cron job's next run, armed
        when its run ends, is found on the same call.

        Raises:
            ValueError: ``target`` is naive or earlier than the current time.
        """
        if target.utcoffset() is None or target < self.now:
            msg = (
                f"FakeClock.advance_to({target!r}): expected an aware datetime not before "
                f"now ({self.now!r})"
            )
            raise ValueError(msg)
        await self.settle()
        limit = (target - self._origin).total_seconds()
        while self._due and self._due[0][0] <= limit:
            when, _, alarm = heapq.heappop(self._due)
            if alarm.cancelled:
                continue
            self.now = max(self.now, self._at(when))
            alarm.ring()
            await self.settle()
        self.now = target
        await self.settle()

    async def settle(self) -> None:
        """Wait until every job run the clock started has finished."""
        while True:
            for _ in range(3):
                await asyncio.sleep(0)
            self._started = {t for t in self._started if not t.done()}
            if not self._started:
                return
            await asyncio.wait(self._started)
