"""One run of a job: through its task's pipeline, then its outcome, history and next run.

The timer loop (:mod:`jobify._kernel.timer`) starts each due job as a task
running :meth:`JobRunner.run`. The run goes through the task's middleware
pipeline (:mod:`jobify._kernel.pipeline`); its outcome is set on the job,
observers are told, a run record is kept when history is on, and the job goes
back to the job table: a one-off job ends, a cron job's next run is computed
in wall time from its last planned run (its misfire policy judges missed runs),
stored, and armed. On a cluster storage a durable run is claimed first and runs
only if the claim is won (:meth:`JobRunner.claim_and_run`).

Missed-run alerts: a cron run that starts later than ``start_grace`` after its
planned time (the process was down, the pool was full), and one still running
``run_grace`` after it started, are logged at WARNING and reported to the
``jobify_job_missed`` observers. A paused job raises none; a run delayed by the
job's own previous run still going is reported as that run's overrun, not as a
missed start.

JSON logs (``[jobify.logging] json = true``): each run marks its task with the
run's fields (:func:`jobify.logs.enter_run`) first thing, so every line logged
during the run carries them. Whether to is decided once, when the runner is
built; with JSON logs off nothing is done per run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from jobify._kernel.context import JobContext
from jobify._kernel.message import MessageError
from jobify._kernel.outcome import error_text
from jobify._kernel.state import RequestState
from jobify._kernel.triggers import EPSILON, CronTrigger, resolve_misfire
from jobify._kernel.values import JobStatus
from jobify.exceptions import JobTimeoutError
from jobify.logs import enter_run
from jobify.storage import RunRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from jobify._kernel.app import Jobify
    from jobify._kernel.job import CronContext, Job
    from jobify._kernel.jobs import JobTable
    from jobify._kernel.timer import TimerLoop
    from jobify.storage import Claim, ScheduledJob

__all__ = ("Alerts", "JobRunner")

log = logging.getLogger("jobify")
_SUMMARY_LIMIT = 200


class Alerts(NamedTuple):
    """When a cron run counts as missed: started too late, or still running too long."""

    start_grace: timedelta | None = None
    run_grace: timedelta | None = None


class JobRunner:
    """Runs the jobs of one app; the timer loop starts each run."""

    __slots__ = (
        "_alerts",
        "_app",
        "_jobs",
        "_log_run",
        "_missed",
        "_node",
        "_observers_finished",
        "_timed",
        "_timer",
    )

    def __init__(
        self,
        app: Jobify,
        jobs: JobTable,
        timer: TimerLoop,
        *,
        observers_finished: Sequence[Callable[..., Any]] = (),
        observers_missed: Sequence[Callable[..., Any]] = (),
        alerts: Alerts = Alerts(),  # noqa: B008 - an immutable value
        json_logs: bool = False,
    ) -> None:
        """Run ``app``'s jobs from ``jobs``, re-arming them on ``timer``.

        ``json_logs``: mark each run for :class:`jobify.logs.JsonFormatter`.
        """
        self._app = app
        self._jobs = jobs
        self._timer = timer
        self._observers_finished = tuple(observers_finished)
        self._missed = tuple(observers_missed)
        self._alerts = alerts
        self._log_run = enter_run if json_logs else None
        self._node = f"{socket.gethostname()}:{os.getpid()}"
        # runs are timed only for run history or missed-run alerts (decided once)
        self._timed = jobs.writes.keeps_history or bool(self._missed) or alerts != Alerts()

    # --- claims (cluster storage) ----------------------------------------------------

    async def claim_and_run(self, job: Job[Any]) -> None:
        """Claim ``job``'s run from the cluster storage; run it if the claim is won."""
        try:
            claim = await self._jobs.claim(job)
            won = await self._take_claim(job, claim)
        except asyncio.CancelledError:
            self._end_unrun(job, JobStatus.CANCELLED)
            raise
        except Exception:
            log.exception("job %s (%s): claim failed; trying again in 1 s", job.id, job.route.name)
            self._rearm(job, self._timer.now() + timedelta(seconds=1))
            return
        if won:
            # the writes that follow the run are fenced by the run claimed here
            await self.run(job, held=None if claim.row is None else claim.row.next_run_at)

    async def _take_claim(self, job: Job[Any], claim: Claim) -> bool:
        """Apply a claim's outcome to the local job; True when this node runs it now."""
        ctx = job.cron_context
        row = claim.row
        if ctx is None or row is None:
            if claim.won:
                return True
            # another node ran it, runs it, or it ended there: nothing left to do here
            log.info("job %s (%s) is run by another node", job.id, job.route.name)
            self._end_unrun(job, JobStatus.CANCELLED)
            return False
        due = job.exec_at
        if not claim.won:
            self._follow_row(job, ctx, row, due)
            return False
        self._sync_cron(job, ctx, row)
        planned = row.next_run_at
        if planned < due:  # the row lags behind this node's timer: missed runs
            planned = resolve_misfire(
                ctx.cron.misfire_policy, planned=planned, now=due - EPSILON, parser=ctx.cron_parser
            )
            if planned > due:  # the policy drops them: store the next run, run nothing now
                ctx.offset = planned
                if await self._advance_row(job, ctx, row.next_run_at, planned):
                    self._rearm(job, planned)
                return False
        ctx.offset = planned
        return True

    def _follow_row(
        self, job: Job[Any], ctx: CronContext[Any], row: ScheduledJob, after: datetime
    ) -> None:
        """Re-arm a cron job whose claim or write was lost at the run its row is at now.

        A SCHEDULED row later than ``after`` is armed at its time; otherwise
        another node runs the row's run (or just did): the next one is armed.
        """
        self._sync_cron(job, ctx, row)
        if row.status is JobStatus.SCHEDULED and row.next_run_at > after:
            next_at = row.next_run_at
        else:
            try:
                next_at = self._timer.next_cron_run(
                    ctx.cron.expression, ctx.cron_parser, max(after, row.next_run_at)
                )
            except ValueError:
                self._end_unrun(job, JobStatus.CANCELLED)
                return
        ctx.offset = next_at
        self._rearm(job, next_at)

    async def _advance_row(
        self, job: Job[Any], ctx: CronContext[Any], held: datetime, next_at: datetime
    ) -> bool:
        """Store a cron job's next run on a cluster, fenced by the run claimed at ``held``.

        Lost (another node took the row over, or it moved on): the job follows
        the row and False is returned.
        """
        jobs = self._jobs
        cluster = jobs.cluster
        assert cluster is not None  # noqa: S101 - a claim was won, so there is a cluster
        job.exec_at = next_at
        outcome = await cluster.advance(jobs.row_of(job), held)
        if outcome.won:
            return True
        log.info("cron job %s (%s): another node took its row over; following it", job.id,
                 job.route.name)  # fmt: skip
        if outcome.row is None:
            self._end_unrun(job, JobStatus.CANCELLED)
        else:
            self._follow_row(job, ctx, outcome.row, held - EPSILON)
        return False

    def _sync_cron(self, job: Job[Any], ctx: CronContext[Any], row: ScheduledJob) -> None:
        """Take the cluster's counters (and schedule) of a cron job from its stored row."""
        codec = self._jobs.codec
        assert codec is not None  # noqa: S101 - a cluster stores jobs
        route = job.route
        try:
            _, trigger, state, _ = codec.decode(row.message, route.func_spec)
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
        self._jobs.drop_task(job)
        if not self._jobs.accepting or job.status is JobStatus.CANCELLED:
            return
        job.update(exec_at=at, status=JobStatus.SCHEDULED)
        if not job.paused:
            self._timer.arm(job)

    def _end_unrun(self, job: Job[Any], status: JobStatus) -> None:
        """End ``job`` here without running it; its row is another node's business."""
        jobs = self._jobs
        jobs.drop_task(job)
        if job.is_done():
            return
        job.durable = False  # so ending it here deletes nothing
        job.status = status
        jobs.finish(job)

    # --- one run -----------------------------------------------------------------------

    async def run(
        self, job: Job[Any], *, extra: bool = False, held: datetime | None = None
    ) -> None:
        """Run ``job`` through its task's pipeline and hand the outcome on.

        ``extra``: one run asked for now (``run now``); a cron job's schedule
        stays as it was. ``held``: on a cluster storage, the ``next_run_at`` of
        the run this node claimed; the writes that follow the run are fenced by it.
        """
        app = self._app
        jobs = self._jobs
        route = job.route
        runnable = job.runnable
        task = job.running_task
        planned = job.exec_at
        if self._log_run is not None:
            self._log_run(job, planned)
        overrun = None
        if self._timed:
            started = self._timer.clock.wall()
            if not extra:
                self._check_start(job, planned, started)
            overrun = self._watch_overrun(job, started)
        job.status = JobStatus.RUNNING
        runnable.attempts = 0
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
        finally:
            if overrun is not None:
                overrun.cancel()
        jobs.drop_task(job)
        if job.status is JobStatus.CANCELLED:
            return  # cancelled while it ran (e.g. by itself): already finished and unregistered
        self._set_outcome(job, result if error is None else None, error)
        if jobs.writes.keeps_history:
            jobs.writes.record(self._record(job, planned, started))
        for observer in self._observers_finished:
            try:
                observer(job=job)
            except Exception:
                log.exception("observer %r raised; ignored", observer)
        ctx = job.cron_context
        if ctx is None:
            if job.status is JobStatus.FAILED:
                log.error("job %s (%s) failed", job.id, route.name, exc_info=job.exception)
            jobs.finish(job, held)
            return
        await self._advance_cron(job, ctx, extra=extra, held=held)

    @staticmethod
    def _set_outcome(job: Job[Any], result: Any, error: BaseException | None) -> None:
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

    def _record(self, job: Job[Any], planned: datetime, started: datetime) -> RunRecord:
        """The history record of the run of ``job`` that just ended."""
        failed = job.status is not JobStatus.SUCCESS and job.exception is not None
        exc = job.exception if failed else None
        summary = None
        if job.status is JobStatus.SUCCESS:
            summary = repr(job.result())[:_SUMMARY_LIMIT]
        return RunRecord(
            job_id=job.id,
            task=job.route.name,
            planned_at=planned,
            started_at=started,
            finished_at=self._timer.clock.wall(),
            status=job.status,
            attempt=max(1, job.runnable.attempts),
            node=self._node,
            error_type=None if exc is None else type(exc).__name__,
            error_message=None if exc is None else error_text(exc),
            result_summary=summary,
        )

    # --- missed-run alerts ---------------------------------------------------------------

    def _check_start(self, job: Job[Any], planned: datetime, started: datetime) -> None:
        grace = self._alerts.start_grace
        ctx = job.cron_context
        if grace is None or ctx is None:
            return
        late = started - planned
        if late > grace:
            self._report(job, "start", late)

    def _watch_overrun(self, job: Job[Any], started: datetime) -> asyncio.TimerHandle | None:
        grace = self._alerts.run_grace
        if grace is None or job.cron_context is None:
            return None
        loop = asyncio.get_running_loop()
        return loop.call_later(grace.total_seconds(), self._overran, job, started)

    def _overran(self, job: Job[Any], started: datetime) -> None:
        if job.status is JobStatus.RUNNING:
            self._report(job, "finish", self._timer.clock.wall() - started)

    def _report(self, job: Job[Any], kind: str, late: timedelta) -> None:
        if job.paused:
            return
        what = "did not start" if kind == "start" else "did not finish"
        log.warning(
            "cron job %s (%s) %s within its grace: %.1f s late",
            job.id, job.route.name, what, late.total_seconds(),
        )  # fmt: skip
        for observer in self._missed:
            try:
                observer(job=job, kind=kind, late=late)
            except Exception:
                log.exception("observer %r raised; ignored", observer)

    # --- a cron job's next run ---------------------------------------------------------

    async def _advance_cron(
        self, job: Job[Any], ctx: CronContext[Any], *, extra: bool, held: datetime | None
    ) -> None:
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
            jobs.finish(job, held)
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
            jobs.finish(job, held)
            return
        try:
            next_at = ctx.offset if extra else self._next_run(ctx)
        except ValueError as exc:  # the schedule has no run left (e.g. its years are over)
            log.info("cron job %s (%s) has no run left: %s", job.id, name, exc)
            jobs.finish(job, held)
            return
        ctx.offset = next_at
        job.update(exec_at=next_at, status=JobStatus.SCHEDULED)
        # stored also while shutting down: a finished run is never repeated
        try:
            if held is not None and not extra:
                if not await self._advance_row(job, ctx, held, next_at):
                    return  # the job follows the row another node holds
            elif job.route.is_persist:
                await jobs.store(job)
        except Exception:
            log.exception(
                    "cron job %s (%s): could not store its next run; it stays scheduled in memory",
                    job.id, name,
                )  # fmt: skip
        if job.status is JobStatus.SCHEDULED and jobs.accepting and not job.paused:
            self._timer.arm(job)
        job.wake()  # a cron job's waiters wake after each run

    def _next_run(self, ctx: CronContext[Any]) -> datetime:
        timer = self._timer
        planned = timer.next_cron_run(ctx.cron.expression, ctx.cron_parser, ctx.offset)
        return resolve_misfire(
            ctx.cron.misfire_policy, planned=planned, now=timer.now(), parser=ctx.cron_parser
        )
