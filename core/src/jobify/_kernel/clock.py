"""The clock: where the timer loop reads the time, sets its one alarm and starts job runs.

The timer loop (:mod:`jobify._kernel.timer`) takes a :class:`Clock` as a
constructor argument and never reads the time or arms a loop timer by any
other means. :class:`SystemClock` is the real one; tests pass
``jobify.testing.clock.FakeClock`` instead, so that time moves only when they
say (as trio's ``MockClock`` is passed to ``trio.run(clock=...)``).

Two scales: ``wall()`` is wall time (an aware datetime), which jobs are planned
in; ``time()`` is monotonic seconds, which alarms are set on. A job's wall time
is converted to the monotonic scale once, when it is armed, so a wall-clock
jump does not move a timer already armed (README "Behaviour notes").
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

__all__ = ("Alarm", "Clock", "SystemClock")


class Alarm(Protocol):
    """What :meth:`Clock.call_at` returns: an alarm that can be called off."""

    def cancel(self) -> None:
        """Call the alarm off; its callback will not run."""


@runtime_checkable
class Clock(Protocol):
    """The time source and the alarm of one app's timer loop.

    Bound to the running event loop by :meth:`bind` when the app starts.
    """

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Use ``loop`` from now on; called once at each app startup."""

    def wall(self) -> datetime:
        """The wall-clock time, timezone-aware."""

    def time(self) -> float:
        """Monotonic seconds: the scale of :meth:`call_at`."""

    def call_at(self, when: float, callback: Callable[[], object]) -> Alarm:
        """Call ``callback()`` on the loop once ``time()`` reaches ``when``."""

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Start one job run as a task on the loop and return it."""


LEAD: Final = 0.0005
"""How early :class:`SystemClock` sets a loop timer before its alarm's time (seconds)."""


class PreciseAlarm:
    """An alarm that rings at its time, not up to a millisecond after it.

    The selector of asyncio's loop sleeps whole milliseconds, rounded up, so
    a loop timer fires up to 1 ms late. This one sets the loop timer
    :data:`LEAD` early and, woken before its time, sleeps the rest: the loop
    is held at most ``LEAD`` per alarm, and no CPU is spent waiting (going
    round the loop instead cost a busy core: 3x the CPU with 1,000 distinct
    due times a second).
    """

    __slots__ = ("_callback", "_handle", "_loop", "_when")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, when: float, callback: Callable[[], object]
    ) -> None:
        """Ring ``callback()`` on ``loop`` once ``loop.time()`` reaches ``when``."""
        self._loop = loop
        self._when = when
        self._callback = callback
        self._handle: asyncio.Handle = loop.call_at(when - LEAD, self._near)

    def _near(self) -> None:
        left = self._when - self._loop.time()
        if left > 0:
            time.sleep(min(left, LEAD))
        self._callback()

    def cancel(self) -> None:
        """Call the alarm off; its callback will not run."""
        self._handle.cancel()


class SystemClock:
    """The real clock: ``datetime.now``, the loop's monotonic time and precise alarms."""

    __slots__ = ("_loop", "spawn", "time")

    def __init__(self) -> None:
        """Make an unbound clock; :meth:`bind` gives it the app's loop."""
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read time from, set alarms on and start runs on ``loop``."""
        self._loop = loop
        self.time: Callable[[], float] = loop.time
        self.spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]] = loop.create_task

    def call_at(self, when: float, callback: Callable[[], object]) -> Alarm:
        """Call ``callback()`` on the loop once ``time()`` reaches ``when`` (PreciseAlarm)."""
        assert self._loop is not None  # noqa: S101 - bound at startup, before any alarm
        return PreciseAlarm(self._loop, when, callback)

    def wall(self) -> datetime:
        """The wall-clock time in UTC."""
        return datetime.now(UTC)
