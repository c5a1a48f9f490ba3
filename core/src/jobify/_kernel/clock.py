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
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

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


class SystemClock:
    """The real clock: ``datetime.now``, the loop's monotonic time and ``loop.call_at``."""

    __slots__ = ("_loop", "call_at", "spawn", "time")

    def __init__(self) -> None:
        """Make an unbound clock; :meth:`bind` gives it the app's loop."""
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read time from and set alarms on ``loop`` (the loop's own methods, no wrapper)."""
        self._loop = loop
        self.time: Callable[[], float] = loop.time
        self.call_at: Callable[[float, Callable[[], object]], Alarm] = loop.call_at
        self.spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]] = loop.create_task

    def wall(self) -> datetime:
        """The wall-clock time in UTC."""
        return datetime.now(UTC)
