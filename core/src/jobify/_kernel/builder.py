"""``task.schedule(*args)``: the public façade that turns one call into a scheduling request.

A :class:`ScheduleBuilder` holds one call of a task (its bound arguments). Its
``push`` / ``delay`` / ``at`` / ``cron`` check their input where the user wrote
it and hand a :class:`~jobify._kernel.jobs.ScheduleRequest` to the app's job
table, which registers, stores and arms the job. Nothing else happens here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from jobify._kernel.triggers import At, CronTrigger
from jobify._kernel.values import Cron

if TYPE_CHECKING:
    from jobify._kernel.context import RouteOptions
    from jobify._kernel.job import Job
    from jobify._kernel.registry import RootRoute
    from jobify._kernel.runnable import FuncSpec, Runnable
    from jobify._kernel.triggers import Trigger
    from jobify.crontab import CronParser

__all__ = ("ScheduleBuilder", "ScheduleRequest")

ReturnT = TypeVar("ReturnT")


def _check_aware(value: object, where: str) -> datetime:
    if not isinstance(value, datetime):
        msg = f"{where}: expected a datetime, got {value!r}"
        raise TypeError(msg)
    if value.tzinfo is None or value.utcoffset() is None:
        msg = (
            f"{where}: got a naive datetime {value.isoformat()!r}; pass a timezone-aware "
            "one, e.g. datetime(..., tzinfo=ZoneInfo('Europe/Berlin')) or "
            "task.schedule().delay(seconds)"
        )
        raise ValueError(msg)
    return value


class ScheduleRequest(NamedTuple):
    """One call of ``push``/``delay``/``at``/``cron``, as the builder hands it over."""

    route: RootRoute[Any, Any]
    runnable: Runnable[Any]
    job_id: str | None
    trigger: Trigger
    parser: CronParser | None = None
    replace: bool = False
    force: bool = False
    immediate: bool = False


class ScheduleBuilder(Generic[ReturnT]):
    """Schedules one call of a task: ``push``, ``delay``, ``at`` or ``cron``."""

    __slots__ = ("_route", "runnable")

    def __init__(self, *, route: RootRoute[Any, ReturnT], runnable: Runnable[ReturnT]) -> None:
        """Hold one call (``runnable``) of ``route``."""
        self._route = route
        self.runnable = runnable

    @property
    def name(self) -> str:
        """The task's name."""
        return self._route.name

    @property
    def func_spec(self) -> FuncSpec[ReturnT]:
        """What the task's function takes and returns."""
        return self._route.func_spec

    @property
    def route_options(self) -> RouteOptions:
        """The task's options."""
        return self._route.options

    def now(self) -> datetime:
        """Return the current datetime in the app's timezone."""
        return self._route.app.configs.timer.now()

    async def push(
        self, *, job_id: str | None = None, replace: bool = False, force: bool = False
    ) -> Job[ReturnT]:
        """Schedule the job to run immediately."""
        return await self._hand_over(
            At(self.now()), job_id=job_id, replace=replace, force=force, immediate=True
        )

    async def delay(
        self,
        seconds: float,
        *,
        job_id: str | None = None,
        now: datetime | None = None,
        replace: bool = False,
    ) -> Job[ReturnT]:
        """Schedule the job to run ``seconds`` after ``now`` (default: the current time)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            msg = f"delay(): seconds must be a number, got {seconds!r}"
            raise TypeError(msg)
        if seconds != seconds:  # NaN
            msg = "delay(): seconds is NaN; pass a number of seconds, e.g. delay(60)"
            raise ValueError(msg)
        base = self.now() if now is None else _check_aware(now, "delay(now=...)")
        when = base + timedelta(seconds=max(0.0, seconds))
        return await self._hand_over(At(when), job_id=job_id, replace=replace)

    async def at(
        self,
        at: datetime,
        *,
        job_id: str | None = None,
        replace: bool = False,
        force: bool = False,
    ) -> Job[ReturnT]:
        """Schedule the job to run at ``at`` (timezone-aware; a past time runs now).

        With ``replace``, a job already scheduled under ``job_id`` at this very
        time is kept as it is, unless ``force``.
        """
        when = _check_aware(at, "at()")
        return await self._hand_over(At(when), job_id=job_id, replace=replace, force=force)

    async def cron(
        self,
        cron: str | Cron,
        *,
        job_id: str | None,
        replace: bool = False,
        force: bool = False,
    ) -> Job[ReturnT]:
        """Schedule the job on a cron schedule under ``job_id``.

        An id already in use raises :class:`DuplicateJobError` unless ``replace``
        is true. Replacing with the same cron keeps the job as it is (unless
        ``force``); with another cron the same :class:`Job` moves to the new
        schedule, keeping its run count.
        """
        if isinstance(cron, str):
            cron = Cron(cron)
        elif not isinstance(cron, Cron):
            msg = f"cron(): expected a cron expression string or Cron(...), got {cron!r}"
            raise TypeError(msg)
        parser = self._route.cron_parser(cron.expression)
        return await self._hand_over(
            CronTrigger(cron), job_id=job_id, replace=replace, force=force, parser=parser
        )

    async def _hand_over(
        self,
        trigger: Trigger,
        *,
        job_id: str | None,
        replace: bool,
        force: bool = False,
        immediate: bool = False,
        parser: CronParser | None = None,
    ) -> Job[ReturnT]:
        route = self._route
        route.check_schedulable()
        if job_id == "":
            job_id = None  # as in jobify 0.14: an empty id means "make one"
        request = ScheduleRequest(
            route, self.runnable, job_id, trigger, parser, replace, force, immediate
        )
        return await route.app.configs.jobs.schedule(request)
