"""The timer loop: when each live job runs, running it, and what a cron job does next.

One heap holds every armed job, keyed by the monotonic time it is due; one
alarm on the :class:`~jobify._kernel.clock.Clock` is set for the earliest, and
nothing polls. When the alarm rings, every due job starts as a task that runs
through the task's middleware pipeline (:mod:`jobify._kernel.pipeline`). Its
outcome goes back to the job table; a cron job's next run is computed here (in
wall time, from its last planned run, with its misfire policy), stored through
the job table and armed again. On a cluster storage a durable run is claimed
(through the job table) before it starts, and runs only if the claim is won.

The clock is a constructor argument: tests pass a fake one and the same loop
runs on fake time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from jobify._kernel.clock import SystemClock
from jobify._kernel.context import JobContext
from jobify._kernel.message import MessageError
from jobify._kernel.state import RequestState
from jobify._kernel.triggers import EPSILON, CronTrigger, resolve_misfire
from jobify._kernel.values import JobStatus
from jobify.exceptions import JobTimeoutError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from jobify._kernel.app import Jobify
    from jobify._kernel.clock import Alarm, Clock
    from jobify._kernel.job import CronContext, Job
    from jobify._kernel.jobs import JobTable
    from jobify.crontab import CronParser
    from jobify.storage import Claim, ScheduledJob

__all__ = ("TimerLoop",)

log = logging.getLogger("jobify")
_EARLY: Final = 1e-6  # an alarm may ring this much before its time (float rounding)
_INF: Final = float("inf")


class TimerLoop:
    """Runs each armed job when it is due; one per app.

    Created with the app; :meth:`serve` binds it to the running loop, the app
    and its job table at startup, :meth:`stop` at shutdown.
    """

    __slots__ = (
        "_alarm",
        "_alarm_at",
        "_app",
        "_claims",
        "_heap",
        "_jobs",
        "_next_runs",
        "_observers_finished",
        "_seq",
        "_serving",
        "_stale",
        "clock",
        "tz",
    )
    _app: Jobify  # set by serve()
    _jobs: JobTable  # set by serve()

    def __init__(
        self,
        *,
        tz: ZoneInfo,
        clock: Clock | None = None,
        observers_finished: tuple[Any, ...] = (),
    ) -> None:
        """Plan in ``tz`` on ``clock`` (the system clock when None)."""
        self.tz = tz
        self.clock: Clock = SystemClock() if clock is None else clock
        self._observers_finished = observers_finished
        self._heap: list[tuple[float, int, Job[Any]]] = []
        self._seq = itertools.count(1)
        self._stale = 0
        self._alarm: Alarm | None = None
        self._alarm_at = _INF
        self._next_runs: dict[tuple[str, datetime, Any], datetime] = {}
        self._claims = False
        self._serving = False

    # --- lifecycle -------------------------------------------------------------------

    def serve(
        self, app: Jobify, jobs: JobTable, loop: asyncio.AbstractEventLoop, *, claims: bool
    ) -> None:
        """Start serving ``jobs`` of ``app`` on ``loop``; ``claims``: a cluster storage."""
        self.clock.bind(loop)
        self._app = app
        self._jobs = jobs
        self._claims = claims
        self._serving = True

    def use_clock(self, clock: Clock) -> None:
        """Run on ``clock`` instead (before the app starts; ``FakeClock.install`` uses it)."""
        if self._serving:
            msg = "the timer loop is serving an app: set its clock before the app starts"
            raise RuntimeError(msg)
        self.clock = clock

    def stop(self) -> None:
        """Call off the alarm and forget every armed job (the job table ends them)."""
        self._serving = False
        if self._alarm is not None:
            self._alarm.cancel()
        self._alarm = None
        self._alarm_at = _INF
        for _when, _seq, job in self._heap:
            job.timer_seq = 0
        self._heap.clear()
        self._stale = 0

    @property
    def armed(self) -> int:
        """How many jobs wait for their time."""
        return len(self._heap) - self._stale

    # --- time ------------------------------------------------------------------------

    def now(self) -> datetime:
        """The current time in the app's timezone."""
        return self.clock.wall().astimezone(self.tz)

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

    # --- arming ----------------------------------------------------------------------

    def arm(self, job: Job[Any]) -> None:
        """Run ``job`` at ``job.exec_at`` (at once if that has passed)."""
        clock = self.clock
        when = clock.time() + (job.exec_at - clock.wall()).total_seconds()
        seq = next(self._seq)
        if job.timer_seq:
            self._stale += 1  # armed again: its earlier entry is dropped when popped
        job.timer_seq = seq
        heapq.heappush(self._heap, (when, seq, job))
        if when < self._alarm_at:
            self._set_alarm(when)

    def disarm(self, job: Job[Any]) -> None:
        """Forget ``job``'s armed time, if it has one."""
        if job.timer_seq:
            job.timer_seq = 0
            self._stale += 1
            if self._stale > 1024 and self._stale > len(self._heap) // 2:
                self._heap = [entry for entry in self._heap if entry[2].timer_seq == entry[1]]
                heapq.heapify(self._heap)
                self._stale = 0

    def arm_handle(self, job: Job[Any]) -> asyncio.Handle:
        """Arm ``job`` and return an ``asyncio.Handle`` whose ``cancel()`` disarms it.

        The last step of the outer middleware chain returns it (the reference's
        ``CallNextOuter`` type): made only for tasks that have outer middleware.
        """
        self.arm(job)
        job.status = JobStatus.SCHEDULED
        handle = _ArmedJob(self, job, asyncio.get_running_loop())
        job.bind_handle(handle)
        return handle

    def _set_alarm(self, when: float) -> None:
        if self._alarm is not None:
            self._alarm.cancel()
        self._alarm_at = when
        self._alarm = self.clock.call_at(when, self._ring)

    def _ring(self) -> None:
        """The alarm: start every job that is due, then set the alarm for the next."""
        self._alarm = None
        self._alarm_at = _INF
        heap = self._heap
        due = self.clock.time() + _EARLY
        while heap:
            when, seq, job = heap[0]
            if job.timer_seq != seq:
                heapq.heappop(heap)
                self._stale -= 1
                continue
            if when > due:
                self._set_alarm(when)
                return
            heapq.heappop(heap)
            job.timer_seq = 0
            self.start(job)

    # --- running ---------------------------------------------------------------------

    def start(self, job: Job[Any]) -> None:
        """Start ``job`` now as a task (a push skips the heap this way)."""
        jobs = self._jobs
        coro = self._claim_and_run(job) if self._claims and job.durable else self._run(job)
        task = self.clock.spawn(coro)
        job.bind_task(task)
        jobs.running.add(task)  # removed by _run's end, or by the job table

    async def _claim_and_run(self, job: Job[Any]) -> None:
        jobs = self._jobs
        try:
            claim = await jobs.claim(job)
            won = await self._take_claim(job, claim)
        except asyncio.CancelledError:
            self._end_unrun(job, JobStatus.CANCELLED)
            raise
        except Exception:
            log.exception("job %s (%s): claim failed; trying again in 1 s", job.id, job.route.name)
            self._rearm(job, self.now() + timedelta(seconds=1))
            return
        if won:
            await self._run(job)

    async def _take_claim(self, job: Job[Any], claim: Claim) -> bool:
        """Apply a claim's outcome to the local job; True when this node runs it now."""
        ctx = job.cron_context
        row = claim.row
        jobs = self._jobs
        if ctx is None or row is None:
            if claim.won:
                return True
            # another node ran it, runs it, or it ended there: nothing left to do here
            log.info("job %s (%s) is run by another node", job.id, job.route.name)
            self._end_unrun(job, JobStatus.CANCELLED)
            return False
        self._sync_cron(job, ctx, row)
        due = job.exec_at
        if not claim.won:
            if row.status is JobStatus.SCHEDULED and row.next_run_at > due:
                next_at = row.next_run_at
            else:  # another node runs this run (or just did): wait for the next one
                try:
                    next_at = self.next_cron_run(ctx.cron.expression, ctx.cron_parser, due)
                except ValueError:
                    self._end_unrun(job, JobStatus.CANCELLED)
                    return False
            ctx.offset = next_at
            self._rearm(job, next_at)
            return False
        planned = row.next_run_at
        if planned < due:  # the row lags behind this node's timer: missed runs
            planned = resolve_misfire(
                ctx.cron.misfire_policy, planned=planned, now=due - EPSILON, parser=ctx.cron_parser
            )
            if planned > due:  # the policy drops them: store the next run, run nothing now
                ctx.offset = planned
                job.exec_at = planned
                await jobs.store(job)
                self._rearm(job, planned)
                return False
        ctx.offset = planned
        return True

    def _sync_cron(self, job: Job[Any], ctx: CronContext[Any], row: ScheduledJob) -> None:
        """Take the cluster's counters (and schedule) of a cron job from its stored row."""
        codec = self._jobs.codec
        assert codec is not None  # noqa: S101 - a cluster stores jobs
        route = job.route
        try:
            _, trigger, state = codec.decode(row.message, route.func_spec)
        except MessageError:
            log.exception("cron job %s (%s): stored counters unreadable", row.job_id, route.name)
            return
        if state is not None:
            ctx.run_count = state.run_count
            ctx.failure_count = state.failure_count
        if isinstance(trigger, CronTrigger) and trigger.cron != ctx.cron:
            ctx.cron = trigger.cron
            ctx.cron_parser = route.cron_parser(trigger.cron.expression)

    def _rearm(self, job: Job[Any], at: datetime) -> None:
        """Arm ``job`` again at ``at`` from inside its own (ending) task."""
        jobs = self._jobs
        jobs.drop_task(job)
        if not self._app.configs.app_started:
            return
        if job.status is JobStatus.CANCELLED:
            return
        job.update(exec_at=at, status=JobStatus.SCHEDULED)
        self.arm(job)

    def _end_unrun(self, job: Job[Any], status: JobStatus) -> None:
        """End ``job`` here without running it; its row is another node's business."""
        jobs = self._jobs
        jobs.drop_task(job)
        if job.is_done():
            return
        job.durable = False  # so ending it here deletes nothing
        job.status = status
        jobs.finish(job)

    async def _run(self, job: Job[Any]) -> None:
        """Run ``job`` through its task's pipeline and hand the outcome on."""
        app = self._app
        jobs = self._jobs
        route = job.route
        runnable = job.runnable
        task = job.running_task
        job.status = JobStatus.RUNNING
        context = JobContext(
            app,
            job,
            route.task_state,
            runnable,
            RequestState(),
            route.options,
            app.configs,
            route.builder_for(runnable),
        )
        error: BaseException | None = None
        try:
            result = await route.chain(context)
        except asyncio.CancelledError:
            jobs.running.discard(task)
            if job.status is not JobStatus.CANCELLED:
                job.status = JobStatus.CANCELLED
                jobs.finish(job)
            raise
        except BaseException as exc:  # a task's failure is the job's outcome
            error = exc
        jobs.drop_task(job)
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
        for observer in self._observers_finished:
            try:
                observer(job=job)
            except Exception:
                log.exception("observer %r raised; ignored", observer)
        ctx = job.cron_context
        if ctx is None:
            if job.status is JobStatus.FAILED:
                log.error("job %s (%s) failed", job.id, route.name, exc_info=job.exception)
            jobs.finish(job)
            return
        await self._advance_cron(job, ctx)

    async def _advance_cron(self, job: Job[Any], ctx: CronContext[Any]) -> None:
        app = self._app
        jobs = self._jobs
        name = job.route.name
        ctx.run_count += 1
        if job.status is JobStatus.SUCCESS:
            ctx.failure_count = 0
        else:
            ctx.failure_count += 1
            log.error(
                "cron job %s (%s) run %d ended %s (%d consecutive failures)",
                job.id, name, ctx.run_count, job.status.value, ctx.failure_count,
                exc_info=job.exception,
            )  # fmt: skip
        if ctx.is_run_exceeded_by_limit():
            jobs.finish(job)
            return
        if not ctx.is_failure_allowed_by_limit():
            log.error(
                "cron job %s (%s) disabled after %d consecutive failures (max_failures=%d); "
                "it will not run again. To re-enable it, fix the cause, then restart the app "
                "(a cron= task is declared again at startup) or schedule it again: "
                "%s.schedule(...).cron(..., job_id=%r, replace=True)",
                job.id, name, ctx.failure_count, ctx.cron.max_failures, name, job.id,
            )  # fmt: skip
            job.status = JobStatus.PERMANENTLY_FAILED
            jobs.finish(job)
            return
        if not app.configs.app_started:
            return
        try:
            planned = self.next_cron_run(ctx.cron.expression, ctx.cron_parser, ctx.offset)
            next_at = resolve_misfire(
                ctx.cron.misfire_policy, planned=planned, now=self.now(), parser=ctx.cron_parser
            )
        except ValueError as exc:  # the schedule has no run left (e.g. its years are over)
            log.info("cron job %s (%s) has no run left: %s", job.id, name, exc)
            jobs.finish(job)
            return
        ctx.offset = next_at
        job.update(exec_at=next_at, status=JobStatus.SCHEDULED)
        if job.route.is_persist:
            try:
                await jobs.store(job)
            except Exception:
                log.exception(
                    "cron job %s (%s): could not store its next run; it stays scheduled in memory",
                    job.id, name,
                )  # fmt: skip
        if job.status is JobStatus.SCHEDULED:
            self.arm(job)
        job.wake()  # a cron job's waiters wake after each run


class _ArmedJob(asyncio.Handle):
    """A job's place in the timer heap, as an ``asyncio.Handle``."""

    __slots__ = ("_armed", "_timer")

    def __init__(self, timer: TimerLoop, job: Job[Any], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(timer.start, (job,), loop)
        self._timer = timer
        self._armed = job

    def cancel(self) -> None:
        """Disarm the job (if it has not started yet)."""
        if not self.cancelled():
            self._timer.disarm(self._armed)
        super().cancel()
