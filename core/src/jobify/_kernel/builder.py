"""Scheduling one job of a task: now, after a delay, at a time, or on a cron schedule.

``task.schedule(*args)`` binds the arguments once and returns a
:class:`ScheduleBuilder`; ``push`` / ``delay`` / ``at`` / ``cron`` create the
:class:`Job`, persist it when it is durable, and arm its timer. The same
module runs the job when its timer fires and advances cron jobs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from jobify._kernel.context import JobContext, OuterContext
from jobify._kernel.job import CronContext, Job
from jobify._kernel.message import CronState, MessageError, decode, encode
from jobify._kernel.runnable import Runnable
from jobify._kernel.state import RequestState
from jobify._kernel.timer import At, CronTrigger, resolve_misfire
from jobify._kernel.values import Cron, JobStatus
from jobify.exceptions import ApplicationStateError, DuplicateJobError, JobTimeoutError
from jobify.storage import ScheduledJob

if TYPE_CHECKING:
    import inspect

    from jobify._kernel.context import RouteOptions
    from jobify._kernel.registry import RootRoute
    from jobify._kernel.runnable import FuncSpec
    from jobify._kernel.timer import Trigger
    from jobify.storage import Claim

__all__ = ("ScheduleBuilder",)

ReturnT = TypeVar("ReturnT")
log = logging.getLogger("jobify")
_EPSILON = timedelta(microseconds=1)  # a tick's "just before", for misfire decisions


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


class ScheduleBuilder(Generic[ReturnT]):
    """Schedules one call of a task: ``push``, ``delay``, ``at`` or ``cron``."""

    __slots__ = ("_route", "func_spec", "name", "route_options", "runnable")

    def __init__(self, *, route: RootRoute[Any, ReturnT], bound: inspect.BoundArguments) -> None:
        """Bind ``route`` to one call's arguments."""
        self._route = route
        self.name = route.name
        self.func_spec: FuncSpec[ReturnT] = route.func_spec
        self.route_options: RouteOptions = route.options
        self.runnable: Runnable[ReturnT] = Runnable(
            name=route.name, bound=bound, strategy=route.strategy, func_spec=route.func_spec
        )

    def now(self) -> datetime:
        """Return the current datetime in the app's timezone."""
        return self._route.app._timer.now()

    # --- public scheduling API --------------------------------------------

    async def push(
        self, *, job_id: str | None = None, replace: bool = False, force: bool = False
    ) -> Job[ReturnT]:
        """Schedule the job to run immediately."""
        del force  # a push always runs; kept for the reference's signature
        return await self._schedule_at(self.now(), job_id=job_id, replace=replace, immediate=True)

    async def delay(
        self,
        seconds: float,
        *,
        job_id: str | None = None,
        now: datetime | None = None,
        replace: bool = False,
    ) -> Job[ReturnT]:
        """Schedule the job to run ``seconds`` after ``now`` (default: the current time)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds != seconds:
            msg = f"delay(): seconds must be a number, got {seconds!r}"
            raise TypeError(msg)
        base = self.now() if now is None else _check_aware(now, "delay(now=...)")
        return await self._schedule_at(
            base + timedelta(seconds=max(0.0, seconds)), job_id=job_id, replace=replace
        )

    async def at(
        self,
        at: datetime,
        *,
        job_id: str | None = None,
        replace: bool = False,
        force: bool = False,
    ) -> Job[ReturnT]:
        """Schedule the job to run at ``at`` (timezone-aware; a past time runs now)."""
        del force  # accepted for the reference's signature; a duplicate id still needs replace
        return await self._schedule_at(_check_aware(at, "at()"), job_id=job_id, replace=replace)

    async def cron(
        self,
        cron: str | Cron,
        *,
        job_id: str,
        replace: bool = False,
        force: bool = False,
    ) -> Job[ReturnT]:
        """Schedule the job on a cron schedule under ``job_id``.

        An id already in use raises :class:`DuplicateJobError` unless
        ``replace`` is true. Replacing with the same cron keeps the job as it
        is (unless ``force``); with another cron the same :class:`Job` moves
        to the new schedule, keeping its run count.
        """
        if isinstance(cron, str):
            cron = Cron(cron)
        elif not isinstance(cron, Cron):
            msg = f"cron(): expected a cron expression string or Cron(...), got {cron!r}"
            raise TypeError(msg)
        if not isinstance(job_id, str) or not job_id:
            msg = f"cron(): job_id must be a non-empty string, got {job_id!r}"
            raise ValueError(msg)
        app = self._route.app
        parser = app._make_cron_parser(cron.expression)
        self._check_started()
        existing = app._jobs.get(job_id)
        run_count = failure_count = 0
        reuse: Job[ReturnT] | None = None
        if existing is not None:
            if not replace:
                raise DuplicateJobError(job_id)
            ctx = existing.cron_context
            if ctx is not None and ctx.cron == cron and not force:
                log.info("cron job %s already runs on %r; kept as it is", job_id, cron.expression)
                return existing
            if ctx is not None:
                run_count, failure_count = ctx.run_count, ctx.failure_count
            reuse = self._detach(existing)
        next_at = self._first_run(cron, parser)
        return await self._start_cron(
            cron, parser, job_id=job_id, next_at=next_at, run_count=run_count,
            failure_count=failure_count, reuse=reuse,
        )  # fmt: skip

    # --- internals ---------------------------------------------------------

    def _check_started(self) -> None:
        if not self._route.app.configs.app_started:
            raise ApplicationStateError(
                operation="schedule",
                reason=f"the app is not started (task {self.name!r})",
                solution="Schedule jobs inside `async with app:` or after `await app.startup()`.",
            )

    def _detach(self, existing: Job[ReturnT]) -> Job[ReturnT] | None:
        """Stop ``existing`` so its id can be rescheduled; return it if it can be reused.

        A job that is not running is reused (the caller gets the same object
        back, as with the reference); a running one is cancelled.
        """
        if existing._task is not None:
            existing._durable = False
            existing.status = JobStatus.CANCELLED
            existing._task.cancel()
            existing._finish()
            self._route.app._unregister(existing.id)
            return None
        if existing._handle is not None:
            existing._handle.cancel()
            existing._handle = None
        return existing

    def _new_job(
        self, job_id: str | None, exec_at: datetime, reuse: Job[ReturnT] | None = None
    ) -> Job[ReturnT]:
        app = self._route.app
        if reuse is not None:
            reuse.exec_at = exec_at
            reuse.status = JobStatus.PENDING
            reuse.exception = None
            reuse._cron_ctx = None
            return reuse
        if job_id is None:
            job_id = app._new_job_id()
        elif not isinstance(job_id, str) or not job_id:
            msg = f"job_id must be a non-empty string, got {job_id!r}"
            raise ValueError(msg)
        return Job(
            job_id=job_id,
            storage=app.configs.storage,
            exec_at=exec_at,
            unregister_hook=app._unregister,
        )

    async def _schedule_at(
        self, when: datetime, *, job_id: str | None, replace: bool, immediate: bool = False
    ) -> Job[ReturnT]:
        app = self._route.app
        self._check_started()
        reuse = None
        if job_id is not None:
            existing = app._jobs.get(job_id)
            if existing is not None:
                if not replace:
                    raise DuplicateJobError(job_id)
                reuse = self._detach(existing)
        job = self._new_job(job_id, when, reuse)
        await self._arm(job, At(when), None, immediate=immediate)
        return job

    async def _restore_at(
        self, job_id: str, at: datetime, reuse: Job[ReturnT] | None = None
    ) -> None:
        """Re-arm a stored one-off job; a time already past runs now."""
        job = self._new_job(job_id, at, reuse)
        await self._arm(job, At(at), None, persist=False)

    async def _restore_cron(
        self,
        job_id: str,
        cron: Cron,
        planned: datetime,
        state: CronState,
        reuse: Job[ReturnT] | None = None,
    ) -> None:
        """Re-arm a stored cron job, applying its misfire policy to a missed run.

        On a cluster storage the row is not rewritten here (this node may not
        hold it): the claim of the run armed here applies the policy to the
        row and stores what it drops (:meth:`_take_claim`).
        """
        app = self._route.app
        parser = app._make_cron_parser(cron.expression)
        next_at = resolve_misfire(
            cron.misfire_policy, planned=planned, now=self.now(), parser=parser
        )
        persist = next_at != planned and app._cluster is None
        await self._start_cron(
            cron, parser, job_id=job_id, next_at=next_at, run_count=state.run_count,
            failure_count=state.failure_count, reuse=reuse, persist=persist,
        )  # fmt: skip

    def _declared_cron_row(self, cron: Cron, job_id: str) -> ScheduledJob:
        """The stored row a ``cron=`` task starts with, before any run."""
        app = self._route.app
        next_at = self._first_run(cron, app._make_cron_parser(cron.expression))
        message = self._message(
            CronTrigger(cron), CronState(run_count=0, failure_count=0, offset=next_at)
        )
        return ScheduledJob(job_id, self.name, message, JobStatus.SCHEDULED, next_at)

    def _first_run(self, cron: Cron, parser: Any) -> datetime:
        """A new cron job's first run: its future ``start_date``, else the next one from now."""
        now = self.now()
        start = cron.start_date
        return start if start is not None and start > now else parser.next_run(now=now)

    def _message(self, trigger: Trigger, state: CronState | None) -> bytes:
        """This call's arguments and ``trigger`` encoded as a stored message."""
        configs = self._route.app.configs
        return encode(
            spec=self.func_spec,
            arguments=self.runnable.origin_arguments,
            trigger=trigger,
            cron_state=state,
            dumper=configs.dumper,
            serializer=configs.serializer,
        )

    async def _start_cron(
        self,
        cron: Cron,
        parser: Any,
        *,
        job_id: str,
        next_at: datetime,
        run_count: int,
        failure_count: int,
        reuse: Job[ReturnT] | None = None,
        persist: bool = True,
    ) -> Job[ReturnT]:
        job = self._new_job(job_id, next_at, reuse)
        ctx: CronContext[ReturnT] = CronContext(
            cron=cron,
            cron_parser=parser,
            failure_count=failure_count,
            job=job,
            offset=next_at,
            run_count=run_count,
        )
        job.bind_cron_context(ctx)
        await self._arm(job, CronTrigger(cron), ctx, persist=persist)
        return job

    async def _arm(
        self,
        job: Job[ReturnT],
        trigger: Trigger,
        ctx: CronContext[ReturnT] | None,
        *,
        persist: bool = True,
        immediate: bool = False,
    ) -> None:
        """Register, persist (if durable) and arm ``job``; undo all on failure.

        ``immediate`` (a push) starts the job's task at once instead of going
        through a timer, which saves a loop turn per job.
        """
        route = self._route
        app = route.app
        app._register(job)
        try:
            outer = route.outer_chain
            if outer is None or not persist:
                if route.is_persist:
                    if persist:
                        await self._persist(job.id, job.exec_at, trigger)
                    else:
                        job._durable = True
                job.status = JobStatus.SCHEDULED
                if immediate:
                    self._fire(job)  # the task starts on the next loop turn
                else:
                    # the plain function, not a bound method: one object less per pending job
                    job._handle = app._timer.arm(job.exec_at, ScheduleBuilder._fire, self, job)
            else:
                octx = OuterContext(
                    app=app,
                    job=job,
                    state=app.state,
                    trigger=trigger,
                    runnable=self.runnable,
                    arguments=self.runnable.origin_arguments,
                    func_spec=self.func_spec,
                    is_force=False,
                    is_persist=route.is_persist,
                    is_replace=False,
                    route_options=route.options,
                    jobify_config=app.configs,
                    request_state=RequestState(),
                    persist_job_hook=self._persist,
                    schedule_hook=functools.partial(self._arm_timer, job),
                    schedule_builder=self,
                )
                handle = await outer(octx)
                if not isinstance(handle, asyncio.Handle):
                    # an outer middleware did not call call_next: the job is not scheduled
                    job.status = JobStatus.PENDING
                    job._durable = False
                    app._unregister(job.id)
                    return
        except BaseException:
            if job._handle is not None:
                job._handle.cancel()
                job._handle = None
            job.status = JobStatus.CANCELLED
            job._durable = False
            app._unregister(job.id)
            raise
        for observer in app._observers_scheduled:
            try:
                observer(job=job)
            except Exception:
                log.exception("observer %r raised; ignored", observer)

    def _arm_timer(self, job: Job[ReturnT]) -> asyncio.Handle:
        handle = self._route.app._timer.arm(job.exec_at, ScheduleBuilder._fire, self, job)
        job._handle = handle
        job.status = JobStatus.SCHEDULED
        return handle

    async def _persist(self, job_id: str, next_run_at: datetime, trigger: Trigger) -> None:
        app = self._route.app
        job = app._jobs.get(job_id)
        ctx = None if job is None else job.cron_context
        state = (
            None
            if ctx is None
            else CronState(
                run_count=ctx.run_count, failure_count=ctx.failure_count, offset=ctx.offset
            )
        )
        await app._store(job_id, self.name, self._message(trigger, state), next_run_at)
        if job is not None:
            job._durable = True

    def _fire(self, job: Job[ReturnT]) -> None:
        """Timer callback: start the job's execution as a task.

        On a cluster storage a durable job is claimed first, so that one node runs it.
        """
        job._handle = None
        app = self._route.app
        if app._cluster is not None and job._durable:
            coro = self._claim_and_execute(job)
        else:
            coro = self._execute(job)
        task = asyncio.get_running_loop().create_task(coro)
        job._task = task
        app._tasks.add(task)  # removed by _execute's end, or by _unregister

    async def _claim_and_execute(self, job: Job[ReturnT]) -> None:
        app = self._route.app
        cluster = app._cluster
        assert cluster is not None  # noqa: S101 - _fire checked it
        try:
            claim = await cluster.claim(job.id, job.exec_at)
            run = await self._take_claim(job, claim)
        except asyncio.CancelledError:
            self._end_local(job, JobStatus.CANCELLED)
            raise
        except Exception:
            log.exception("job %s (%s): claim failed; trying again in 1 s", job.id, self.name)
            self._rearm(job, self.now() + timedelta(seconds=1))
            return
        if run:
            # the writes that follow the run are fenced by the run claimed here
            await self._execute(job, None if claim.row is None else claim.row.next_run_at)

    async def _take_claim(self, job: Job[ReturnT], claim: Claim) -> bool:
        """Apply a claim's outcome to the local job; True when this node runs it now."""
        ctx = job.cron_context
        row = claim.row
        if ctx is None or row is None:
            if claim.won:
                return True
            # another node ran it, runs it, or it ended there: nothing left to do here
            log.info("job %s (%s) is run by another node", job.id, self.name)
            self._end_local(job, JobStatus.CANCELLED)
            return False
        due = job.exec_at
        if not claim.won:
            self._follow_row(job, ctx, row, due)
            return False
        self._sync_cron(ctx, row)
        planned = row.next_run_at
        if planned < due:  # the row lags behind this node's timer: missed runs
            planned = resolve_misfire(
                ctx.cron.misfire_policy,
                planned=planned,
                now=due - _EPSILON,
                parser=ctx.cron_parser,
            )
            if planned > due:  # the policy drops them: store the next run, run nothing now
                ctx.offset = planned
                if await self._advance_row(job, ctx, row.next_run_at, planned):
                    self._rearm(job, planned)
                return False
        ctx.offset = planned
        return True

    def _follow_row(
        self, job: Job[ReturnT], ctx: CronContext[ReturnT], row: ScheduledJob, after: datetime
    ) -> None:
        """Re-arm a cron job whose claim or write was lost at the run its row is at now.

        A SCHEDULED row later than ``after`` is armed at its time; otherwise
        another node runs the row's run (or just did): the next one is armed.
        """
        self._sync_cron(ctx, row)
        if row.status is JobStatus.SCHEDULED and row.next_run_at > after:
            next_at = row.next_run_at
        else:
            try:
                next_at = self._route.app._timer.next_cron_run(
                    ctx.cron.expression, ctx.cron_parser, max(after, row.next_run_at)
                )
            except ValueError:
                self._end_local(job, JobStatus.CANCELLED)
                return
        ctx.offset = next_at
        self._rearm(job, next_at)

    async def _advance_row(
        self, job: Job[ReturnT], ctx: CronContext[ReturnT], held: datetime, next_at: datetime
    ) -> bool:
        """Store a cron job's next run on a cluster, fenced by the run claimed at ``held``.

        Lost (another node took the row over, or it moved on): the job
        follows the row and False is returned.
        """
        cluster = self._route.app._cluster
        assert cluster is not None  # noqa: S101 - a claim was won, so there is a cluster
        state = CronState(
            run_count=ctx.run_count, failure_count=ctx.failure_count, offset=ctx.offset
        )
        message = self._message(CronTrigger(ctx.cron), state)
        row = ScheduledJob(job.id, self.name, message, JobStatus.SCHEDULED, next_at)
        outcome = await cluster.advance(row, held)
        if outcome.won:
            return True
        log.info(
            "cron job %s (%s): another node took its row over; following it", job.id, self.name
        )
        if outcome.row is None:
            self._end_local(job, JobStatus.CANCELLED)
        else:
            self._follow_row(job, ctx, outcome.row, held - _EPSILON)
        return False

    def _sync_cron(self, ctx: CronContext[ReturnT], row: ScheduledJob) -> None:
        """Take the cluster's counters (and schedule) of a cron job from its stored row."""
        app = self._route.app
        try:
            _, trigger, state = decode(
                row.message,
                spec=self.func_spec,
                serializer=app.configs.serializer,
                loader=app.configs.loader,
            )
        except MessageError:
            log.exception("cron job %s (%s): stored counters unreadable", row.job_id, self.name)
            return
        if state is not None:
            ctx.run_count = state.run_count
            ctx.failure_count = state.failure_count
        if isinstance(trigger, CronTrigger) and trigger.cron != ctx.cron:
            ctx.cron = trigger.cron
            ctx.cron_parser = app._make_cron_parser(trigger.cron.expression)

    def _drop_task(self, job: Job[ReturnT]) -> None:
        """Forget ``job``'s task, which ends without running it."""
        task = job._task
        if task is not None:
            self._route.app._tasks.discard(task)
            job._task = None

    def _rearm(self, job: Job[ReturnT], at: datetime) -> None:
        """Arm ``job`` again at ``at`` from inside its own (ending) task."""
        app = self._route.app
        self._drop_task(job)
        if not app.configs.app_started or job.status is JobStatus.CANCELLED:
            return
        job.update(exec_at=at, status=JobStatus.SCHEDULED)
        job._handle = app._timer.arm(at, ScheduleBuilder._fire, self, job)

    def _end_local(self, job: Job[ReturnT], status: JobStatus) -> None:
        """End ``job`` here without running it; its row is another node's business."""
        self._drop_task(job)
        if job.is_done():
            return
        job._durable = False  # so ending it here deletes nothing
        job.status = status
        job._finish()
        self._route.app._unregister(job.id)

    async def _execute(self, job: Job[ReturnT], held: datetime | None = None) -> None:
        """Run ``job`` through the pipeline and end or advance it.

        ``held``: on a cluster storage, the ``next_run_at`` of the run this
        node claimed; the writes that follow the run are fenced by it.
        """
        route = self._route
        app = route.app
        task = job._task
        job.status = JobStatus.RUNNING
        context = JobContext(
            app,
            job,
            route.task_state,
            self.runnable,
            RequestState(),
            route.options,
            app.configs,
            self,
        )
        error: BaseException | None = None
        try:
            result = await route.chain(context)
        except asyncio.CancelledError:
            app._tasks.discard(task)
            if job.status is not JobStatus.CANCELLED:
                job.status = JobStatus.CANCELLED
                job._finish()
                app._unregister(job.id)
            raise
        except BaseException as exc:  # a task's failure is the job's outcome
            error = exc
        app._tasks.discard(task)
        job._task = None
        if job.status is JobStatus.CANCELLED:
            return  # cancelled while it ran (e.g. by itself): already finished and unregistered
        if error is None:
            job.set_result(result, status=JobStatus.SUCCESS)
        elif isinstance(error, JobTimeoutError):
            job.set_exception(error, status=JobStatus.TIMEOUT)
        elif isinstance(error, Exception):
            job.set_exception(error, status=JobStatus.FAILED)
        else:
            wrapped = RuntimeError(f"task raised {type(error).__name__}: {error}")
            wrapped.__cause__ = error
            job.set_exception(wrapped, status=JobStatus.FAILED)
        for observer in app._observers_finished:
            try:
                observer(job=job)
            except Exception:
                log.exception("observer %r raised; ignored", observer)
        ctx = job.cron_context
        if ctx is None:
            if job.status is JobStatus.FAILED:
                log.error("job %s (%s) failed", job.id, self.name, exc_info=job.exception)
            job._finish()
            app._unregister(job.id, held)
            return
        await self._advance_cron(job, ctx, held)

    async def _advance_cron(
        self, job: Job[ReturnT], ctx: CronContext[ReturnT], held: datetime | None = None
    ) -> None:
        app = self._route.app
        ctx.run_count += 1
        if job.status is JobStatus.SUCCESS:
            ctx.failure_count = 0
        else:
            ctx.failure_count += 1
            log.error(
                "cron job %s (%s) run %d ended %s (%d consecutive failures)",
                job.id, self.name, ctx.run_count, job.status.value, ctx.failure_count,
                exc_info=job.exception,
            )  # fmt: skip
        if ctx.is_run_exceeded_by_limit():
            job._finish()
            app._unregister(job.id, held)
            return
        if not ctx.is_failure_allowed_by_limit():
            job.status = JobStatus.PERMANENTLY_FAILED
            job._finish()
            app._unregister(job.id, held)
            return
        if not app.configs.app_started:
            return
        now = self.now()
        try:
            planned = app._timer.next_cron_run(ctx.cron.expression, ctx.cron_parser, ctx.offset)
            next_at = resolve_misfire(
                ctx.cron.misfire_policy, planned=planned, now=now, parser=ctx.cron_parser
            )
        except ValueError as exc:  # the schedule has no run left (e.g. its years are over)
            log.info("cron job %s (%s) has no run left: %s", job.id, self.name, exc)
            job._finish()
            app._unregister(job.id, held)
            return
        ctx.offset = next_at
        job.update(exec_at=next_at, status=JobStatus.SCHEDULED)
        try:
            if held is not None:
                if not await self._advance_row(job, ctx, held, next_at):
                    return  # the job follows the row another node holds
            elif self._route.is_persist:
                await self._persist(job.id, next_at, CronTrigger(ctx.cron))
        except Exception:
            log.exception(
                "cron job %s (%s): could not store its next run; it stays scheduled in memory",
                job.id, self.name,
            )  # fmt: skip
        if job.status is JobStatus.SCHEDULED:
            job._handle = app._timer.arm(next_at, ScheduleBuilder._fire, self, job)
