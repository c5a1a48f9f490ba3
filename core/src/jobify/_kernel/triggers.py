"""What makes a job run: a time (``At``) or a cron schedule, and the misfire rules of the latter.

A trigger is stored in a durable job's message (:mod:`jobify._kernel.message`)
and decides, in the timer loop (:mod:`jobify._kernel.timer`), when the job
runs next; :func:`resolve_misfire` is the one place a missed cron run is judged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from jobify._kernel.values import Cron, GracePolicy, MisfirePolicy

if TYPE_CHECKING:
    from jobify.crontab import CronParser

EPSILON = timedelta(microseconds=1)
"""A tick's "just before", for misfire decisions."""

__all__ = (
    "At",
    "CronTrigger",
    "Trigger",
    "first_cron_run",
    "misfire_from_data",
    "misfire_to_data",
    "resolve_misfire",
)


class At(NamedTuple):
    """Run once at ``at``."""

    at: datetime


class CronTrigger(NamedTuple):
    """Run on ``cron``'s schedule."""

    cron: Cron


Trigger = At | CronTrigger


def first_cron_run(cron: Cron, parser: CronParser, *, now: datetime) -> datetime:
    """A new cron job's first run: its future ``start_date``, else the next one from ``now``.

    A ``start_date`` in the past makes the runs since then missed runs, which
    the job's misfire policy decides (``ALL`` runs each, ``ONCE`` one now, ...).
    """
    start = cron.start_date
    if start is None:
        return parser.next_run(now=now)
    if start > now:
        return start
    planned = parser.next_run(now=start - EPSILON)
    return resolve_misfire(cron.misfire_policy, planned=planned, now=now, parser=parser)


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
