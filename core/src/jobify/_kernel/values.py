"""The reference's value types: statuses, run modes, cron and retry settings.

Their kinds are fixed by the public API: the statuses are ``StrEnum`` members
(as in jobify 0.14, so ``print(job.status)`` shows ``success``), ``Cron`` is a
dataclass, ``SmartRetry`` and ``GracePolicy`` are NamedTuples.
Each checks its values when built, so a bad one never reaches the timer loop.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final, NamedTuple

__all__ = (
    "INJECT",
    "Cron",
    "GracePolicy",
    "JobStatus",
    "MisfirePolicy",
    "RunMode",
    "SmartRetry",
)

INJECT: Final[Any] = object()
"""Default value marking a task parameter that jobify fills in at run time.

``def task(ctx: JobContext = INJECT)`` receives the job's context; ``State``
and ``RequestState`` annotations receive the app's state and the request's.
"""


class JobStatus(StrEnum):
    """The status of a job.

    Attributes:
        PENDING: created, not scheduled yet.
        SCHEDULED: waiting for its time (a cron job between runs too).
        RUNNING: its task is running.
        CANCELLED: cancelled, or stopped by shutdown (a durable job keeps
            its row and runs after the next start).
        SUCCESS: the task returned; ``result()`` holds the value.
        FAILED: the task raised (after its retries); ``exception`` says why.
        TIMEOUT: the task ran longer than its ``timeout``.
        PERMANENTLY_FAILED: a cron job disabled after ``max_failures``
            consecutive failures.
    """

    PENDING = "pending"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    CANCELLED = "cancelled"
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    PERMANENTLY_FAILED = "permanently_failed"


class RunMode(StrEnum):
    """The execution mode of a job.

    Attributes:
        MAIN: on the event loop (async functions only; their default).
        THREAD: in the thread pool (the default for sync functions).
        PROCESS: in a worker process; the function, its arguments and result
            must be picklable, and the script that starts the app needs an
            ``if __name__ == "__main__":`` guard (the workers import it).
    """

    MAIN = "main"
    THREAD = "thread"
    PROCESS = "process"


class GracePolicy(NamedTuple):
    """Run a missed execution only if it is at most ``value`` late.

    Attributes:
        value: how late a missed run may be and still run.
    """

    value: timedelta


class MisfirePolicy(StrEnum):
    """Policy for handling jobs that missed their scheduled run time.

    Attributes:
        ALL: run every missed occurrence, one after the other.
        SKIP: run none of them; wait for the next planned time.
        ONCE: run once now for all of them (the default).
    """

    ALL = "all"
    SKIP = "skip"
    ONCE = "once"

    @staticmethod
    def GRACE(t: timedelta, /) -> GracePolicy:  # noqa: N802 - name fixed by the reference API
        """Build a :class:`GracePolicy` of ``t``."""
        if not isinstance(t, timedelta) or t < timedelta(0):
            msg = f"MisfirePolicy.GRACE: expected a non-negative timedelta, got {t!r}"
            raise ValueError(msg)
        return GracePolicy(t)


def _misfire_policy(policy: object) -> MisfirePolicy | GracePolicy:
    """Check ``policy``; a member's value (``"once"``) becomes the member, as 0.14 reads it."""
    if isinstance(policy, GracePolicy):
        if not isinstance(policy.value, timedelta) or policy.value < timedelta(0):
            msg = (
                f"Cron misfire_policy: GracePolicy needs a non-negative timedelta, "
                f"got {policy.value!r}"
            )
            raise ValueError(msg)
        return policy
    if isinstance(policy, MisfirePolicy):
        return policy
    expected = "MisfirePolicy.ALL, SKIP, ONCE (or 'all', 'skip', 'once') or GracePolicy(timedelta)"
    if isinstance(policy, str):
        try:
            return MisfirePolicy(policy)
        except ValueError:
            msg = f"Cron misfire_policy: expected {expected}, got {policy!r}"
            raise ValueError(msg) from None
    msg = f"Cron misfire_policy: expected {expected}, got {policy!r}"
    raise TypeError(msg)


@dataclasses.dataclass(slots=True)
class Cron:
    """Configuration for cron-based job scheduling.

    ``max_runs=-1`` means no limit; ``max_failures`` counts consecutive failed
    runs before the schedule stops (at least 1: ``1`` stops at the first
    failure). ``start_date`` must be timezone-aware: no run happens before it,
    and runs between it and the app's first start are misfires, decided by
    ``misfire_policy`` (a member, its value such as ``"once"``, or a
    :class:`GracePolicy`). ``args`` and ``kwargs`` are kept as given.

    Attributes:
        expression: 5 fields (minute hour day month weekday), 6 (plus year),
            7 (seconds first, then the 5, then year), or ``@yearly``,
            ``@monthly``, ``@weekly``, ``@daily``, ``@hourly``; computed in
            the app's ``tz``.
        max_runs: runs after which the schedule ends (-1: no limit).
        max_failures: consecutive failures after which the schedule is
            disabled (``PERMANENTLY_FAILED``, logged at ERROR).
        misfire_policy: what to do with runs missed while the app was down.
        start_date: no run before this aware datetime.
        args: positional arguments of each run (of a ``cron=`` task).
        kwargs: keyword arguments of each run (of a ``cron=`` task).
    """

    expression: str
    max_runs: int = dataclasses.field(default=-1, kw_only=True)
    max_failures: int = dataclasses.field(default=10, kw_only=True)
    misfire_policy: MisfirePolicy | GracePolicy = dataclasses.field(
        default=MisfirePolicy.ONCE, kw_only=True
    )
    start_date: datetime | None = dataclasses.field(default=None, kw_only=True)
    args: tuple[Any, ...] = dataclasses.field(default=(), kw_only=True)
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict, kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.expression, str) or not self.expression.strip():
            msg = f"Cron expression: expected a non-empty string, got {self.expression!r}"
            raise ValueError(msg)
        if not isinstance(self.max_runs, int) or (self.max_runs < 1 and self.max_runs != -1):
            msg = f"Cron max_runs: expected a positive int or -1 (no limit), got {self.max_runs!r}"
            raise ValueError(msg)
        if not isinstance(self.max_failures, int) or self.max_failures < 1:
            msg = (
                f"Cron max_failures: expected an int >= 1 (1 stops at the first failure), "
                f"got {self.max_failures!r}"
            )
            raise ValueError(msg)
        self.misfire_policy = _misfire_policy(self.misfire_policy)
        if self.start_date is not None and (
            not isinstance(self.start_date, datetime) or self.start_date.tzinfo is None
        ):
            msg = (
                f"Cron start_date: expected a timezone-aware datetime, got {self.start_date!r}; "
                "add tzinfo, e.g. datetime(..., tzinfo=ZoneInfo('UTC'))"
            )
            raise ValueError(msg)
        # kept as given (a list of args stays a list, as in 0.14): the kernel only unpacks them
        if not isinstance(self.args, tuple | list):
            msg = f"Cron args: expected a tuple (or list) of arguments, got {self.args!r}"
            raise TypeError(msg)
        if not isinstance(self.kwargs, Mapping):
            msg = f"Cron kwargs: expected a dict of keyword arguments, got {self.kwargs!r}"
            raise TypeError(msg)


class _SmartRetryFields(NamedTuple):
    retries: int
    initial_delay: float = 0.5
    max_delay: float = 60.0
    backoff_factor: float = 2.0
    jitter: bool = True
    include_exceptions: tuple[type[Exception], ...] = (Exception,)
    exclude_exceptions: tuple[type[Exception], ...] = ()


class SmartRetry(_SmartRetryFields):
    """Retry settings with exponential backoff and optional equal jitter.

    The n-th retry (0-based) waits ``min(max_delay, initial_delay *
    backoff_factor ** n)``; with ``jitter`` half of that is fixed and half is
    random, which spreads retries of many failing jobs apart. A
    ``backoff_factor`` below 1 makes the waits shrink. The numbers are kept
    as given, as in jobify 0.14: ``SmartRetry(3, initial_delay=1)`` waits
    ``1``, ``2``, ``4`` (ints) without jitter.

    Attributes:
        retries: retries after the first failure (0: none).
        initial_delay: seconds before the first retry.
        max_delay: the longest wait between two tries, in seconds.
        backoff_factor: each wait is this many times the previous one.
        jitter: randomise half of each wait.
        include_exceptions: only these exceptions are retried.
        exclude_exceptions: these exceptions are never retried.
    """

    __slots__ = ()

    def __new__(
        cls,
        retries: int,
        initial_delay: float = 0.5,
        max_delay: float = 60.0,
        backoff_factor: float = 2.0,
        jitter: bool = True,  # noqa: FBT001, FBT002 - positional NamedTuple field
        include_exceptions: tuple[type[Exception], ...] = (Exception,),
        exclude_exceptions: tuple[type[Exception], ...] = (),
    ) -> SmartRetry:
        """Check every field, so a bad retry setting fails where it is written."""
        if not isinstance(retries, int) or retries < 0:  # True/False: 1/0, as 0.14 reads them
            msg = f"SmartRetry retries: expected an int >= 0, got {retries!r}"
            raise ValueError(msg)
        for name, value in (
            ("initial_delay", initial_delay),
            ("max_delay", max_delay),
            ("backoff_factor", backoff_factor),
        ):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                what = "a number" if name == "backoff_factor" else "a number of seconds"
                msg = f"SmartRetry {name}: expected {what} >= 0, got {value!r}"
                raise ValueError(msg)
        for name, excs in (
            ("include_exceptions", include_exceptions),
            ("exclude_exceptions", exclude_exceptions),
        ):
            if not isinstance(excs, tuple) or not all(
                isinstance(e, type) and issubclass(e, BaseException) for e in excs
            ):
                msg = f"SmartRetry {name}: expected a tuple of exception classes, got {excs!r}"
                raise TypeError(msg)
        return super().__new__(
            cls,
            retries,
            initial_delay,
            max_delay,
            backoff_factor,
            jitter,
            include_exceptions,
            exclude_exceptions,
        )

    def should_retry(self, exc: BaseException, attempt: int) -> bool:
        """Whether failure number ``attempt`` (0-based) with ``exc`` is retried."""
        if attempt >= self.retries:
            return False
        if self.exclude_exceptions and isinstance(exc, self.exclude_exceptions):
            return False
        return isinstance(exc, self.include_exceptions)

    def compute_delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based, as the reference)."""
        return self.delay(attempt - 1)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        base = min(self.max_delay, self.initial_delay * self.backoff_factor**attempt)
        if self.jitter:
            half = base / 2
            return half + random.uniform(0, half)  # noqa: S311 - spreading load, not security
        return base
