"""The timer loop: asyncio timers for due jobs, cron advancing and misfires.

Jobs are armed with ``loop.call_at``; nothing polls. Wall-clock times are
aware datetimes in the app's timezone; they are converted to the loop's
monotonic clock once, when a timer is armed.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from jobify._kernel.values import Cron, GracePolicy, MisfirePolicy

if TYPE_CHECKING:
    from collections.abc import Callable
    from zoneinfo import ZoneInfo

    from jobify.crontab import CronParser

__all__ = ("At", "CronTrigger", "Timer", "Trigger", "resolve_misfire")

_UTC = UTC


class At(NamedTuple):
    """Run once at ``at``."""

    at: datetime


class CronTrigger(NamedTuple):
    """Run on ``cron``'s schedule."""

    cron: Cron


Trigger = At | CronTrigger


class Timer:
    """Arms timers on the running loop for wall-clock times.

    ``now()`` and ``arm()`` are the scheduler's only time sources:
    ``jobify.testing.clock.FakeTimer`` overrides both to drive an app on fake
    time, so kernel code must not call ``datetime.now`` or ``loop.call_at``
    for job times itself.
    """

    __slots__ = ("_loop", "_next_runs", "tz")

    def __init__(self, tz: ZoneInfo | timezone) -> None:
        """Use ``tz`` for the times this timer reports."""
        self.tz = tz
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next_runs: dict[tuple[str, datetime, Any], datetime] = {}

    def next_cron_run(self, expression: str, parser: CronParser, after: datetime) -> datetime:
        """``parser.next_run(now=after)``, computed once for every job sharing ``expression``.

        Jobs on the same schedule advance from the same ``after``; a cron parser
        is a pure function of the expression and the time, so one computation
        serves them all (cron CPU, benchmarks/). The memo holds recent runs only.
        """
        key = (expression, after, after.tzinfo)
        memo = self._next_runs
        found = memo.get(key)
        if found is None:
            found = parser.next_run(now=after)
            if len(memo) >= 1024:
                memo.clear()
            memo[key] = found
        return found

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Arm timers on ``loop`` (the app's loop, bound at startup)."""
        self._loop = loop

    def now(self) -> datetime:
        """The current time in the app's timezone."""
        return datetime.now(self.tz)

    def arm(self, at: datetime, callback: Callable[..., Any], *args: Any) -> asyncio.Handle:
        """Call ``callback(*args)`` on the loop at wall-clock time ``at``."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        delay = (at - datetime.now(_UTC)).total_seconds()
        if delay <= 0:
            return loop.call_soon(callback, *args)
        return loop.call_at(loop.time() + delay, callback, *args)


def resolve_misfire(
    policy: MisfirePolicy | GracePolicy,
    *,
    planned: datetime,
    now: datetime,
    parser: CronParser,
) -> datetime:
    """Return when a cron job whose run was ``planned`` in the past runs next.

    ``ALL`` keeps ``planned`` (it runs now, and each following missed run
    after it, one by one); ``ONCE`` runs once now and then resumes the
    schedule; ``SKIP`` drops the missed runs; ``GracePolicy(d)`` is ``ALL``
    for the runs at most ``d`` late: older ones are dropped and the schedule
    resumes with the first run inside the window (or the next future one).
    """
    if planned >= now or policy is MisfirePolicy.ALL:
        return planned
    if policy is MisfirePolicy.ONCE:
        return now
    if isinstance(policy, GracePolicy):
        if now - planned <= policy.value:
            return planned
        return parser.next_run(now=now - policy.value)
    return parser.next_run(now=now)


def misfire_to_data(policy: MisfirePolicy | GracePolicy) -> Any:
    """Encode a misfire policy for a stored job message."""
    if isinstance(policy, GracePolicy):
        return {"grace": policy.value.total_seconds()}
    return policy.value


def misfire_from_data(data: Any) -> MisfirePolicy | GracePolicy:
    """Decode :func:`misfire_to_data`'s output."""
    if isinstance(data, dict):
        return GracePolicy(timedelta(seconds=float(data["grace"])))
    return MisfirePolicy(data)
