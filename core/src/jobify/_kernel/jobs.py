"""The job table: every live job of one app, and the room that talks to storage.

A scheduling request from a :class:`~jobify._kernel.builder.ScheduleBuilder`
comes here: the job is registered, goes through the outer middleware, is
stored when durable and handed to the timer loop (a producer only stores it:
the scheduler process runs it). When a job ends the timer loop hands it back:
it leaves the table, and its row is deleted or replaced by its outcome,
write-behind (:mod:`jobify._kernel.writeback`). Stored rows come back in
through the :class:`~jobify._kernel.restore.Restorer`; on a cluster storage
each durable run is claimed through this room. At shutdown running jobs get a
grace period to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from jobify._kernel.job import CronContext, Job
from jobify._kernel.message import CronState
from jobify._kernel.outcome import apply_outcome, outcome_of
from jobify._kernel.pipeline import run_outer_chain
from jobify._kernel.triggers import At, CronTrigger, first_cron_run
from jobify._kernel.values import JobStatus
from jobify.exceptions import DuplicateJobError
from jobify.storage import ClusterStorage, ControlStorage, ResultStorage, ScheduledJob

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from jobify._kernel.app import Jobify
    from jobify._kernel.builder import ScheduleRequest
    from jobify._kernel.message import MessageCodec
    from jobify._kernel.timer import TimerLoop
    from jobify._kernel.triggers import Trigger
    from jobify._kernel.writeback import WriteBehind
    from jobify.storage import Claim, Storage

__all__ = ("JobTable",)

log = logging.getLogger("jobify")


class JobTable:
    """The live jobs of one app: register, store, finish, restore, adopt, set aside."""

    def __init__(
        self,
        *,
        app: Jobify,
        storage: Storage,
        stored: bool,
        codec: MessageCodec | None,
        timer: TimerLoop,
        writes: WriteBehind,
        new_id: Callable[[], str],
        producer: bool = False,
        observers_scheduled: Sequence[Callable[..., Any]] = (),
        headers: Sequence[Callable[..., Any]] = (),
    ) -> None:
        """Keep ``app``'s jobs; ``stored``: durable jobs go to ``storage``.

        ``producer``: jobs are only stored, a scheduler elsewhere runs them.
        ``headers``: the ``jobify_job_headers`` implementations.
        """
        self.live: dict[str, Job[Any]] = {}
        self.running: set[asyncio.Task[Any]] = set()
        """Tasks running jobs now (the timer loop adds them, their end removes them)."""
        self._app = app
        self._storage = storage
        self._stored = stored
        self.codec = codec
        """Encodes and decodes stored messages (None when storage is off)."""
        self.timer = timer
        """The timer loop that runs this table's jobs."""
        self.writes = writes
        """Deletes, outcomes and run records, written behind in batches."""
        self._new_id = new_id
        self.producer = producer
        self._observers_scheduled = tuple(observers_scheduled)
        self._headers = tuple(headers)
        self.cluster: ClusterStorage | None = (
            storage if stored and isinstance(storage, ClusterStorage) else None
        )
        """The storage, when it is shared by several nodes that claim each run."""
        self._forget = self.forget  # one bound method, shared by every job
        self._idle_waiters: list[asyncio.Future[None]] = []

    # --- queries ---------------------------------------------------------------------

    def get(self, job_id: str) -> Job[Any] | None:
        """The live job ``job_id``, if any."""
        return self.live.get(job_id)

    @property
    def accepting(self) -> bool:
        """True while the app runs (jobs may start and be armed)."""
        return self._app.configs.app_started

    async def wait_idle(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until no job is live; ``TimeoutError`` after ``timeout`` seconds."""
        if not self.live:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._idle_waiters.append(fut)
        try:
            async with asyncio.timeout(timeout):
                await fut
        finally:
            if not fut.done():
                fut.cancel()
                with contextlib.suppress(ValueError):
                    self._idle_waiters.remove(fut)

    def wake_idle(self) -> None:
        """End every :meth:`wait_idle` (e.g. on Ctrl+C)."""
        waiters, self._idle_waiters = self._idle_waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    # --- scheduling ------------------------------------------------------------------

    def new_job(self, job_id: str | None, exec_at: datetime) -> Job[Any]:
        """A new job handle (an id is made when ``job_id`` is None)."""
        if job_id is None:
            job_id = self._new_id()
        elif not isinstance(job_id, str) or not job_id:
            msg = f"job_id must be a non-empty string, got {job_id!r}"
            raise ValueError(msg)
        return Job(
            job_id=job_id, storage=self._storage, exec_at=exec_at, unregister_hook=self._forget
        )

    async def schedule(self, request: ScheduleRequest) -> Job[Any]:
        """Register, store (when durable) and arm one requested job.

        An id already live raises :class:`DuplicateJobError` unless ``replace``;
        a replace that changes nothing (the same time, the same ``Cron``) keeps
        the job as it is unless ``force``.
        """
        trigger = request.trigger
        if request.job_id is None and not self._headers and isinstance(trigger, At):
            # the common case (a push or delay without an id): a new job, nothing to check
            job = self.new_job(None, trigger.at)
            job.bind(request.route, request.runnable, durable=False)
            await self.enter(job, trigger, persist=True, immediate=request.immediate)
            return job
        existing = self.live.get(request.job_id) if request.job_id is not None else None
        reuse: Job[Any] | None = None
        run_count = failure_count = 0
        if existing is not None:
            if not request.replace:
                raise DuplicateJobError(existing.id)
            ctx = existing.cron_context
            if isinstance(trigger, CronTrigger):
                if ctx is not None and ctx.cron == trigger.cron and not request.force:
                    log.info("cron job %s already runs on %r; kept", existing.id, ctx.cron)
                    return existing
                if ctx is not None:
                    run_count, failure_count = ctx.run_count, ctx.failure_count
            elif ctx is None and existing.exec_at == trigger.at and not request.force:
                log.info("job %s already runs at %s; kept as it is", existing.id, trigger.at)
                return existing
            reuse = self.detach(existing)
        if isinstance(trigger, CronTrigger):
            assert request.parser is not None  # noqa: S101 - the builder made it
            exec_at = first_cron_run(trigger.cron, request.parser, now=self.timer.now())
        else:
            exec_at = trigger.at
        if reuse is None:
            job = self.new_job(request.job_id, exec_at)
        else:
            job = reuse
            job.reset(exec_at)
        job.bind(request.route, request.runnable, durable=False)
        if isinstance(trigger, CronTrigger):
            assert request.parser is not None  # noqa: S101
            job.bind_cron_context(
                CronContext(
                    cron=trigger.cron, cron_parser=request.parser, failure_count=failure_count,
                    job=job, offset=exec_at, run_count=run_count,
                )
            )  # fmt: skip
        for observer in self._headers:
            headers = observer(job=job)
            if headers:
                job.headers = {**(job.headers or {}), **headers}
        await self.enter(
            job,
            trigger,
            persist=True,
            immediate=request.immediate,
            is_replace=existing is not None,
            is_force=request.force,
        )
        return job

    async def enter(
        self,
        job: Job[Any],
        trigger: Trigger,
        *,
        persist: bool,
        immediate: bool = False,
        is_replace: bool = False,
        is_force: bool = False,
    ) -> None:
        """Register, store (if durable and ``persist``) and arm ``job``; undo all on failure.

        ``immediate`` (a push) starts the job's task at once instead of going
        through the timer heap, which saves a loop turn per job.
        """
        route = job.route
        timer = self.timer
        if self.producer:  # only stored: the scheduler process runs it
            await self.store(job, trigger)
            job.status = JobStatus.SCHEDULED
            job.watch_remote(self._fetch_outcome)
            return
        self.live[job.id] = job
        try:
            outer = route.outer_chain
            if outer is None or not persist:
                if route.is_persist:
                    if persist:
                        await self.store(job, trigger)
                    else:
                        job.durable = True
                job.status = JobStatus.SCHEDULED
                if job.paused:
                    pass  # kept, not armed: resume arms it
                elif immediate:
                    timer.start(job)  # the task starts on the next loop turn
                else:
                    timer.arm(job)
            elif not await run_outer_chain(
                outer, self._app, job, trigger, persist=self.persist,
                arm=lambda: timer.start_soon(job) if immediate else timer.arm_handle(job),
                immediate=immediate, is_replace=is_replace, is_force=is_force,
            ):  # fmt: skip
                # an outer middleware did not call call_next: the job is not scheduled
                # (it stays PENDING and is done, as in jobify 0.14)
                job.durable = False
                timer.disarm(job)
                self.finish(job)
                return
        except BaseException:
            timer.disarm(job)
            job.status = JobStatus.CANCELLED
            job.durable = False
            self.forget(job.id)
            raise
        self.notify_scheduled(job)

    def notify_scheduled(self, job: Job[Any]) -> None:
        """Tell the ``jobify_job_scheduled`` observers that ``job`` is scheduled."""
        for observer in self._observers_scheduled:
            try:
                observer(job=job)
            except Exception:
                log.exception("observer %r raised; ignored", observer)

    def detach(self, existing: Job[Any]) -> Job[Any] | None:
        """Stop ``existing`` so its id can be scheduled again; return it if it can be reused.

        A job that is not running is reused (the caller gets the same object
        back, as with the reference); a running one is cancelled.
        """
        task = existing.running_task
        if task is not None:
            existing.durable = False
            existing.status = JobStatus.CANCELLED
            task.cancel()
            existing.end()
            self.forget(existing.id)
            return None
        self.timer.disarm(existing)
        return existing

    def _message(self, job: Job[Any], trigger: Trigger) -> bytes:
        assert self.codec is not None  # noqa: S101 - stored apps have a serializer
        ctx = job.cron_context
        state = (
            None
            if ctx is None
            else CronState(
                run_count=ctx.run_count, failure_count=ctx.failure_count, offset=ctx.offset
            )
        )
        return self.codec.encode(
            job.route.func_spec, job.runnable.arguments, trigger, state, job.headers
        )

    def row_of(self, job: Job[Any]) -> ScheduledJob:
        """``job``'s row as it is now: its call, trigger, counters and next run."""
        ctx = job.cron_context
        trigger = At(job.exec_at) if ctx is None else CronTrigger(ctx.cron)
        message = self._message(job, trigger)
        return ScheduledJob(job.id, job.route.name, message, JobStatus.SCHEDULED, job.exec_at)

    async def store(self, job: Job[Any], trigger: Trigger | None = None) -> None:
        """Write ``job``'s row as it is now: its call, trigger, counters and next run."""
        if trigger is None:
            ctx = job.cron_context
            trigger = At(job.exec_at) if ctx is None else CronTrigger(ctx.cron)
        message = self._message(job, trigger)
        self.writes.discard(job.id)
        await self._storage.add_schedule(
            ScheduledJob(job.id, job.route.name, message, JobStatus.SCHEDULED, job.exec_at)
        )
        job.durable = True

    async def persist(self, job_id: str, next_run_at: datetime, trigger: object) -> None:
        """``OuterContext.persist_job_hook``: store the live job ``job_id`` at ``next_run_at``.

        ``trigger`` (the context's) is not needed: the job's own schedule is stored.
        """
        del trigger
        job = self.live.get(job_id)
        if job is None:
            return
        job.exec_at = next_run_at
        await self.store(job)

    # --- the end of a job --------------------------------------------------------------

    def drop_task(self, job: Job[Any]) -> None:
        """Forget ``job``'s task, which ends (or ended) without running it further."""
        task = job.running_task
        if task is not None:
            self.running.discard(task)
            job.bind_task(None)

    def finish(self, job: Job[Any], held: datetime | None = None) -> None:
        """``job`` has ended (its status is final): wake its waiters and forget it.

        ``held`` (a cluster storage): the run this node claimed; the row is
        released only if this node still holds it there.
        """
        job.end()
        self.forget(job.id, held)

    def forget(self, job_id: str, held: datetime | None = None) -> None:
        """Take ``job_id`` out of the table; a durable job's row goes, write-behind.

        When the app keeps results, the row is replaced by the job's outcome.
        """
        job = self.live.pop(job_id, None)
        if job is None:
            return
        self.timer.disarm(job)
        self.drop_task(job)
        if job.durable and self._stored:
            writes = self.writes
            outcome = (
                outcome_of(job, self.codec, self.timer.clock.wall())
                if writes.keeps_results
                else None
            )
            if held is not None and self.cluster is not None:
                writes.release(job_id, held, outcome)
            elif outcome is not None:
                writes.finish(outcome)
            else:
                writes.delete(job_id)
        if not self.live and self._idle_waiters:
            self.wake_idle()

    async def stop(self, grace: float = 0.0) -> None:
        """End every live job at shutdown; durable rows of jobs that did not end are kept.

        No timer fires any more. Jobs running get ``grace`` seconds to finish
        (one that does is recorded as finished and never runs again); those
        still running then are cancelled, logged, and run again after a restart.
        """
        self.timer.stop()
        tasks = list(self.running)
        if tasks and grace > 0:
            log.info("shutdown: waiting up to %.1f s for %d running job(s)", grace, len(tasks))
            await asyncio.wait(tasks, timeout=grace)
        interrupted = [job for job in self.live.values() if job.running_task is not None]
        jobs = list(self.live.values())
        for job in jobs:
            job.durable = False  # what did not end keeps its row: it runs after a restart
        tasks = list(self.running)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if interrupted:
            log.warning(
                "shutdown: %d job(s) were still running and were cancelled; they run again "
                "after a restart (at-least-once): %s",
                len(interrupted), ", ".join(job.id for job in interrupted[:20]),
            )  # fmt: skip
        self.running.clear()
        for job in jobs:
            if not job.is_done():
                job.status = JobStatus.CANCELLED
            job.bind_task(None)
            self.finish(job)
        await self.writes.drain()

    async def run_requested(self, job: Job[Any]) -> None:
        """Someone asked for one extra run of ``job`` now: run it, and clear the request."""
        storage = self._storage
        if isinstance(storage, ControlStorage):
            await storage.request_run(job.id, requested=False)
        if job.running_task is None and not job.is_done():
            self.timer.run_now(job)

    async def _fetch_outcome(self, job: Job[Any]) -> None:
        """Wait for a job a producer stored until its outcome is stored, and take it."""
        storage = self._storage
        if not isinstance(storage, ResultStorage) or not self.writes.keeps_results:
            msg = (
                f"job {job.id!r} runs in the scheduler process: a producer can wait for it "
                "only with a storage that keeps results ([jobify] results_ttl > 0)"
            )
            raise RuntimeError(msg)
        delay = 0.05
        while True:
            outcome = await storage.get_outcome(job.id)
            if outcome is not None:
                apply_outcome(job, outcome, self.codec)
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    # --- clusters ------------------------------------------------------------------------

    async def claim(self, job: Job[Any]) -> Claim:
        """Claim the run of ``job`` due now from the cluster storage."""
        assert self.cluster is not None  # noqa: S101 - the timer claims on clusters only
        return await self.cluster.claim(job.id, job.exec_at)
