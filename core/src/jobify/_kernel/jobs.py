"""The job table: every live job of one app, and the only room that talks to storage.

A scheduling request from a :class:`~jobify._kernel.builder.ScheduleBuilder`
comes here: the job is registered, goes through the outer middleware, is
stored when durable and handed to the timer loop. When a job ends the timer
loop hands it back: it leaves the table and its row is deleted, write-behind
(one storage call per loop turn for every job that ended in it). At startup the
stored rows are restored (a row that cannot be decoded, or whose task is gone,
is set aside); on a cluster storage, rows adopted from a dead node arrive here
too, and each durable run is claimed through this room.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from jobify._kernel.job import CronContext, Job
from jobify._kernel.message import CronState, MessageError
from jobify._kernel.pipeline import run_outer_chain
from jobify._kernel.triggers import At, CronTrigger, first_cron_run, resolve_misfire
from jobify._kernel.values import JobStatus
from jobify.exceptions import DuplicateJobError
from jobify.storage import ClusterStorage, ScheduledJob, SetAsideStorage

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    from jobify._kernel.app import Jobify
    from jobify._kernel.builder import ScheduleRequest
    from jobify._kernel.message import MessageCodec
    from jobify._kernel.registry import RootRoute
    from jobify._kernel.timer import TimerLoop
    from jobify._kernel.triggers import Trigger
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
        new_id: Callable[[], str],
        observers_scheduled: Sequence[Callable[..., Any]] = (),
    ) -> None:
        """Keep ``app``'s jobs; ``stored``: durable jobs go to ``storage``."""
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
        self._new_id = new_id
        self._observers_scheduled = tuple(observers_scheduled)
        self.cluster: ClusterStorage | None = (
            storage if stored and isinstance(storage, ClusterStorage) else None
        )
        """The storage, when it is shared by several nodes that claim each run."""
        self._forget = self.forget  # one bound method, shared by every job
        self._pending_deletes: set[str] = set()
        self._flush_task: asyncio.Task[None] | None = None
        self._idle_waiters: list[asyncio.Future[None]] = []

    # --- queries ---------------------------------------------------------------------

    def get(self, job_id: str) -> Job[Any] | None:
        """The live job ``job_id``, if any."""
        return self.live.get(job_id)

    @property
    def pending_deletes(self) -> int:
        """How many rows of ended jobs wait to be deleted."""
        return len(self._pending_deletes)

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

    def _new_job(self, job_id: str | None, exec_at: datetime) -> Job[Any]:
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
            reuse = self._detach(existing)
        if isinstance(trigger, CronTrigger):
            assert request.parser is not None  # noqa: S101 - the builder made it
            exec_at = first_cron_run(trigger.cron, request.parser, now=self.timer.now())
        else:
            exec_at = trigger.at
        if reuse is None:
            job = self._new_job(request.job_id, exec_at)
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
        await self._enter(
            job,
            trigger,
            persist=True,
            immediate=request.immediate,
            is_replace=existing is not None,
            is_force=request.force,
        )
        return job

    async def _enter(
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
                if immediate:
                    timer.start(job)  # the task starts on the next loop turn
                else:
                    timer.arm(job)
            elif not await run_outer_chain(
                outer, self._app, job, trigger, persist=self.persist, arm=self.timer.arm_handle,
                is_replace=is_replace, is_force=is_force,
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
        for observer in self._observers_scheduled:
            try:
                observer(job=job)
            except Exception:
                log.exception("observer %r raised; ignored", observer)

    def _detach(self, existing: Job[Any]) -> Job[Any] | None:
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
        runnable = job.runnable
        return self.codec.encode(job.route.func_spec, runnable.origin_arguments, trigger, state)

    async def store(self, job: Job[Any], trigger: Trigger | None = None) -> None:
        """Write ``job``'s row as it is now: its call, trigger, counters and next run."""
        if trigger is None:
            ctx = job.cron_context
            trigger = At(job.exec_at) if ctx is None else CronTrigger(ctx.cron)
        message = self._message(job, trigger)
        self._pending_deletes.discard(job.id)
        await self._storage.add_schedule(
            ScheduledJob(job.id, job.route.name, message, JobStatus.SCHEDULED, job.exec_at)
        )
        job.durable = True

    async def persist(self, job_id: str, next_run_at: datetime, trigger: Trigger) -> None:
        """``OuterContext.persist_job_hook``: store the live job ``job_id`` at ``next_run_at``."""
        job = self.live.get(job_id)
        if job is None:
            return
        job.exec_at = next_run_at
        await self.store(job, trigger)

    # --- the end of a job --------------------------------------------------------------

    def drop_task(self, job: Job[Any]) -> None:
        """Forget ``job``'s task, which ends (or ended) without running it further."""
        task = job.running_task
        if task is not None:
            self.running.discard(task)
            job.bind_task(None)

    def finish(self, job: Job[Any]) -> None:
        """``job`` has ended (its status is final): wake its waiters and forget it."""
        job.end()
        self.forget(job.id)

    def forget(self, job_id: str) -> None:
        """Take ``job_id`` out of the table; a durable job's row is deleted write-behind."""
        job = self.live.pop(job_id, None)
        if job is None:
            return
        self.timer.disarm(job)
        self.drop_task(job)
        if job.durable and self._stored:
            self._pending_deletes.add(job_id)
            if self._flush_task is None:
                self._flush_task = asyncio.get_running_loop().create_task(self._flush_deletes())
        if not self.live and self._idle_waiters:
            self.wake_idle()

    async def _flush_deletes(self) -> None:
        """Delete finished durable jobs in batches: one storage call per loop turn."""
        try:
            while self._pending_deletes:
                await asyncio.sleep(0)
                ids = list(self._pending_deletes)
                self._pending_deletes.clear()
                try:
                    await self._storage.delete_schedule_many(ids)
                except Exception:
                    log.exception(
                        "could not delete %d finished job(s) from storage; they will run "
                        "again after a restart (at-least-once)", len(ids),
                    )  # fmt: skip
        finally:
            self._flush_task = None

    async def stop(self) -> None:
        """End every live job at shutdown: timers off, running jobs cancelled, rows kept."""
        jobs = list(self.live.values())
        for job in jobs:
            job.durable = False
        self.timer.stop()
        tasks = list(self.running)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self.running.clear()
        for job in jobs:
            if not job.is_done():
                job.status = JobStatus.CANCELLED
            job.bind_task(None)
            self.finish(job)
        if self._flush_task is not None:
            await asyncio.gather(self._flush_task, return_exceptions=True)

    # --- clusters ------------------------------------------------------------------------

    async def claim(self, job: Job[Any]) -> Claim:
        """Claim the run of ``job`` due now from the cluster storage."""
        assert self.cluster is not None  # noqa: S101 - the timer claims on clusters only
        return await self.cluster.claim(job.id, job.exec_at)

    # --- restore, adopt, set aside -----------------------------------------------------

    async def restore(self, routes: Mapping[str, RootRoute[Any, Any]]) -> int:
        """Arm every stored row (a cluster node: the rows it owns); return how many."""
        cluster = self.cluster
        if cluster is None:
            rows = await self._storage.get_schedules()
        else:
            rows = await cluster.join(lambda adopted: self.adopt(adopted, routes))
        restored = 0
        for row in rows:
            if row.job_id not in self.live and await self.restore_row(row, routes):
                restored += 1
        return restored

    async def adopt(
        self, rows: Sequence[ScheduledJob], routes: Mapping[str, RootRoute[Any, Any]]
    ) -> None:
        """Arm rows the cluster storage took over from a node that died or left.

        A row already live here (a ``cron=`` task every node arms) is re-armed
        at the row's time when that is earlier: the run the dead node did not
        finish happens again (at-least-once).
        """
        if not self._app.configs.app_started:
            return  # stopping: the rows stay ours and go to the others when we leave
        adopted = 0
        for row in rows:
            try:
                job = self.live.get(row.job_id)
                if job is None:
                    adopted += await self.restore_row(row, routes)
                elif job.running_task is None and row.next_run_at < job.exec_at:
                    await self.restore_row(row, routes, reuse=job)
            except Exception:
                log.exception("could not arm adopted job %s (%s)", row.job_id, row.name)
        if adopted:
            log.info("adopted %d job(s) from another node", adopted)

    async def restore_row(
        self,
        row: ScheduledJob,
        routes: Mapping[str, RootRoute[Any, Any]],
        reuse: Job[Any] | None = None,
    ) -> bool:
        """Arm one stored row; an undecodable row or one of an unknown task is set aside."""
        route = routes.get(row.name)
        if route is None:
            await self.set_aside(
                row, f"no task named {row.name!r} is declared (was it renamed or removed?)"
            )
            return False
        assert self.codec is not None  # noqa: S101
        try:
            arguments, trigger, cron_state = self.codec.decode(row.message, route.func_spec)
            runnable = route.runnable_for(route.func_spec.bind_stored(arguments))
            if reuse is not None:
                reuse = self._detach(reuse)
            job = reuse if reuse is not None else self._new_job(row.job_id, row.next_run_at)
            job.reset(row.next_run_at)
            job.bind(route, runnable, durable=False)
            persist = False
            if isinstance(trigger, CronTrigger):
                assert cron_state is not None  # noqa: S101
                parser = route.cron_parser(trigger.cron.expression)
                next_at = resolve_misfire(
                    trigger.cron.misfire_policy, planned=row.next_run_at, now=self.timer.now(),
                    parser=parser,
                )  # fmt: skip
                job.exec_at = next_at
                persist = next_at != row.next_run_at
                job.bind_cron_context(
                    CronContext(
                        cron=trigger.cron, cron_parser=parser,
                        failure_count=cron_state.failure_count, job=job, offset=next_at,
                        run_count=cron_state.run_count,
                    )
                )  # fmt: skip
            await self._enter(job, trigger, persist=persist)
        except (MessageError, TypeError, ValueError) as exc:
            await self.set_aside(row, f"its message cannot be decoded: {exc}")
            return False
        return True

    async def set_aside(self, row: ScheduledJob, reason: str) -> None:
        """Log a row that cannot run and keep it apart (never deleted, never blocking)."""
        log.warning("stored job %s (%s) set aside: %s", row.job_id, row.name, reason)
        storage = self._storage
        if isinstance(storage, SetAsideStorage):
            try:
                await storage.set_aside(row.job_id, reason)
            except Exception:
                log.exception("could not set aside stored job %s", row.job_id)
