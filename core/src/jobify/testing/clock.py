"""A fake clock for tests of apps that use jobify: time moves only when the test says.

Install it on an app before it starts; the app's real timer loop, cron
advancing and misfire policies then run on the fake time, and no test sleeps::

    clock = FakeClock(start=datetime(2030, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")))
    app = Jobify(storage=False)
    clock.install(app)
    async with app:
        await report.schedule().cron("0 0 1 * *", job_id="monthly")
        await clock.advance(timedelta(days=365))  # twelve runs, a few milliseconds

How it works: :meth:`FakeClock.install` replaces the app's kernel ``Timer``
with a :class:`FakeTimer`, a subclass whose ``now()`` reads the fake time and
whose ``arm()`` puts the timer on the clock's own queue instead of the loop's
``call_at``. The kernel itself is unchanged and apps without a fake clock pay
nothing. :meth:`FakeClock.advance_to` pops the due timers in time order, sets
the fake time to each one's instant, runs it, and waits until every job task
the app has started has finished (cron jobs re-arm their next run before
their task ends) before it moves on.

Jobs that sleep on the event loop (``asyncio.sleep``) or use ``timeout=``
still use real time: the fake clock drives the scheduler, not asyncio.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from jobify._kernel.timer import Timer

if TYPE_CHECKING:
    from collections.abc import Callable
    from zoneinfo import ZoneInfo

    from jobify import Jobify

__all__ = ("FakeClock", "FakeTimer")


class FakeTimer(Timer):
    """The kernel ``Timer`` with the fake clock as its time source."""

    __slots__ = ("_clock",)

    def __init__(self, tz: Any, clock: FakeClock) -> None:
        """Report times in ``tz``; read and arm on ``clock``."""
        super().__init__(tz)
        self._clock = clock

    def now(self) -> datetime:
        """The fake time, in the app's timezone."""
        return self._clock.now.astimezone(self.tz)

    def arm(self, at: datetime, callback: Callable[..., Any], *args: Any) -> asyncio.Handle:
        """Queue ``callback(*args)`` for fake time ``at`` (now if already due)."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        clock = self._clock
        if at <= clock.now:
            return loop.call_soon(clock._track, callback, *args)
        handle = asyncio.Handle(clock._track, (callback, *args), loop)
        heapq.heappush(self._clock._due, (at, next(self._clock._seq), handle))
        return handle


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
        self._due: list[tuple[datetime, int, asyncio.Handle]] = []
        self._seq = itertools.count()
        self._apps: list[Jobify] = []
        self._started: set[asyncio.Task[Any]] = set()

    def install(self, app: Jobify) -> Jobify:
        """Run ``app``'s timers on this clock; call it before the app starts.

        Returns:
            The app, so that ``app = clock.install(Jobify(...))`` reads well.

        Raises:
            RuntimeError: the app is already running.
        """
        if app.configs.app_started:
            msg = "FakeClock.install(app): the app is running; install the clock before startup"
            raise RuntimeError(msg)
        tz: ZoneInfo = app._timer.tz  # type: ignore[assignment]
        app._timer = FakeTimer(tz, self)
        self._apps.append(app)
        return app

    def pending(self) -> list[datetime]:
        """The times of the timers still armed, in order."""
        return sorted(at for at, _, handle in self._due if not handle.cancelled())

    async def advance(self, delta: timedelta | float) -> None:
        """Move time forward by ``delta`` (a timedelta or seconds); see :meth:`advance_to`."""
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        if delta < timedelta(0):
            msg = f"FakeClock.advance({delta!r}): time only moves forward"
            raise ValueError(msg)
        await self.advance_to(self.now + delta)

    async def advance_to(self, target: datetime) -> None:
        """Move time to ``target``, running every timer due until then, in order.

        Each due timer runs at its own instant (``now()`` inside the job is
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
        while self._due and self._due[0][0] <= target:
            at, _, handle = heapq.heappop(self._due)
            if handle.cancelled():
                continue
            self.now = max(self.now, at)
            handle._run()
            await self.settle()
        self.now = target
        await self.settle()

    async def settle(self) -> None:
        """Wait until every job task the installed apps run has finished.

        A job task leaves the app's task set before a cron job stores and
        arms its next run, so the tasks that timers start are also tracked
        here until they are done.
        """
        while True:
            for _ in range(3):
                await asyncio.sleep(0)
            self._started = {t for t in self._started if not t.done()}
            running = self._started | {t for a in self._apps for t in a._tasks if not t.done()}
            if not running:
                return
            await asyncio.wait(running)

    def _track(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run a timer's callback and remember the job tasks it started."""
        before = {t for a in self._apps for t in a._tasks}
        callback(*args)
        self._started.update(t for a in self._apps for t in a._tasks if t not in before)
