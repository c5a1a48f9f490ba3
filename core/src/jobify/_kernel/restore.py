"""Stored rows into live jobs: at startup, at adoption, and when other processes change rows.

The :class:`Restorer` is the job table's reader: it decodes each row (a row
that cannot be decoded, or whose task is gone, is set aside: logged, kept,
never deleted, never blocking the others), judges a cron job's missed runs by
its misfire policy, and hands the job to the table to arm. On a cluster it
receives the rows adopted from a dead node; with a change feed it applies what
producers and operators wrote (new jobs, reschedules, pauses, run-now
requests, cancellations) within about a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from typing import TYPE_CHECKING, Any

from jobify._kernel.job import CronContext
from jobify._kernel.message import Decoded, MessageError
from jobify._kernel.triggers import CronTrigger, resolve_misfire
from jobify._kernel.values import JobStatus
from jobify.storage import ChangeFeed, ControlStorage, SetAsideStorage, StoredJob

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from jobify._kernel.job import Job
    from jobify._kernel.jobs import JobTable
    from jobify._kernel.routes import RootRoute
    from jobify.storage import RowChanges, ScheduledJob, Storage

__all__ = ("Restorer",)

log = logging.getLogger("jobify")


class Restorer:
    """Reads the stored rows of one app into its job table."""

    __slots__ = ("_applying", "_cursor", "_dirty", "_jobs", "_routes", "_storage")

    def __init__(
        self, jobs: JobTable, storage: Storage, routes: Mapping[str, RootRoute[Any, Any]]
    ) -> None:
        """Restore into ``jobs`` the rows of ``storage`` whose tasks are in ``routes``."""
        self._jobs = jobs
        self._storage = storage
        self._routes = routes
        self._cursor = 0
        self._applying: asyncio.Task[None] | None = None
        self._dirty = False

    # --- startup -------------------------------------------------------------------------

    async def restore(self) -> int:
        """Arm every stored row (a cluster node: the rows it owns); return how many.

        With a change feed, its cursor is taken first, so nothing written
        meanwhile is missed (a row seen twice is harmless).
        """
        storage = self._storage
        if isinstance(storage, ChangeFeed):
            self._cursor = await storage.cursor()
        cluster = self._jobs.cluster
        stored: Sequence[StoredJob | ScheduledJob]
        with _collector_paused():
            if cluster is not None:
                stored = await cluster.join(self.adopt)
            elif isinstance(storage, ControlStorage):
                stored = await storage.get_stored_jobs()
            else:
                stored = await storage.get_schedules()
            restored = await self._restore_all(stored)
        if isinstance(storage, ChangeFeed):
            storage.watch(self._changed)
        return restored

    async def _restore_all(self, stored: Sequence[StoredJob | ScheduledJob]) -> int:
        restored = 0
        batch = _Batch(self._jobs, self._routes)
        live = self._jobs.live
        for item in stored:
            one = item if isinstance(item, StoredJob) else StoredJob(item)
            if one.row.job_id in live:
                continue
            taken = batch.take(one)
            if taken is True:
                restored += 1
                continue
            # the jobs taken so far are armed before this row, and before anything awaits
            batch.arm()
            if await self.restore_one(one, decoded=None if taken is False else taken):
                restored += 1
        batch.arm()
        return restored

    async def adopt(self, rows: Sequence[ScheduledJob]) -> None:
        """Arm rows the cluster storage took over from a node that died or left.

        A row already live here (a ``cron=`` task every node arms) is re-armed
        at the row's time when that is earlier: the run the dead node did not
        finish happens again (at-least-once).
        """
        jobs = self._jobs
        if not jobs.accepting:
            return  # stopping: the rows stay ours and go to the others when we leave
        adopted = 0
        for row in rows:
            try:
                job = jobs.get(row.job_id)
                if job is None:
                    adopted += await self.restore_one(StoredJob(row))
                elif job.running_task is None and row.next_run_at < job.exec_at:
                    await self.restore_one(StoredJob(row), reuse=job)
            except Exception:
                log.exception("could not arm adopted job %s (%s)", row.job_id, row.name)
        if adopted:
            log.info("adopted %d job(s) from another node", adopted)

    async def restore_one(
        self, stored: StoredJob, reuse: Job[Any] | None = None, *, decoded: Decoded | None = None
    ) -> bool:
        """Arm one stored row (``reuse``: the live job it replaces); False when set aside.

        ``decoded``: the row's message, when the caller has decoded it already.
        """
        row = stored.row
        jobs = self._jobs
        route = self._routes.get(row.name)
        if route is None:
            await self.set_aside(
                row, f"no task named {row.name!r} is declared (was it renamed or removed?)"
            )
            return False
        codec = jobs.codec
        assert codec is not None  # noqa: S101 - only stored apps restore
        try:
            if decoded is None:
                decoded = codec.decode(row.message, route.func_spec)
            arguments, trigger, cron_state, headers = decoded
            runnable = route.stored_call(arguments)
            if reuse is not None:
                reuse = jobs.detach(reuse)
            job = reuse if reuse is not None else jobs.new_job(row.job_id, row.next_run_at)
            job.reset(row.next_run_at)
            job.bind(route, runnable, durable=False)
            job.headers = headers
            job.paused = stored.paused
            persist = False
            if isinstance(trigger, CronTrigger):
                assert cron_state is not None  # noqa: S101
                parser = route.cron_parser(trigger.cron.expression)
                next_at = row.next_run_at
                if not stored.paused:  # a paused job's misses are judged when it resumes
                    next_at = resolve_misfire(
                        trigger.cron.misfire_policy, planned=next_at, now=jobs.timer.now(),
                        parser=parser,
                    )  # fmt: skip
                job.exec_at = next_at
                # on a cluster the claim of the run armed here judges the row (fenced)
                persist = next_at != row.next_run_at and jobs.cluster is None
                job.bind_cron_context(
                    CronContext(
                        cron=trigger.cron, cron_parser=parser,
                        failure_count=cron_state.failure_count, job=job, offset=next_at,
                        run_count=cron_state.run_count,
                    )
                )  # fmt: skip
            await jobs.enter(job, trigger, persist=persist)
            if job.status is JobStatus.SCHEDULED:
                job.status = JobStatus.PENDING  # a restored job is pending until it runs (0.14)
        except (MessageError, TypeError, ValueError) as exc:
            await self.set_aside(row, f"its message cannot be decoded: {exc}")
            return False
        if stored.run_requested:
            await jobs.run_requested(job)
        return True

    def load(self, row: ScheduledJob) -> Job[Any] | None:
        """A job made from ``row`` but not armed nor live (to reschedule it); None if unknown.

        Raises:
            MessageError: the row's message cannot be decoded.
        """
        route = self._routes.get(row.name)
        codec = self._jobs.codec
        if route is None or codec is None:
            return None
        arguments, trigger, cron_state, headers = codec.decode(row.message, route.func_spec)
        job = self._jobs.new_job(row.job_id, row.next_run_at)
        job.bind(route, route.stored_call(arguments), durable=True)
        job.headers = headers
        if isinstance(trigger, CronTrigger) and cron_state is not None:
            job.bind_cron_context(
                CronContext(
                    cron=trigger.cron, cron_parser=route.cron_parser(trigger.cron.expression),
                    failure_count=cron_state.failure_count, job=job, offset=row.next_run_at,
                    run_count=cron_state.run_count,
                )
            )  # fmt: skip
        return job

    async def set_aside(self, row: ScheduledJob, reason: str) -> None:
        """Log a row that cannot run and keep it apart (never deleted, never blocking)."""
        log.warning("stored job %s (%s) set aside: %s", row.job_id, row.name, reason)
        storage = self._storage
        if isinstance(storage, SetAsideStorage):
            try:
                await storage.set_aside(row.job_id, reason)
            except Exception:
                log.exception("could not set aside stored job %s", row.job_id)

    # --- changes from other processes ----------------------------------------------------

    def _changed(self) -> None:
        """The change feed's signal: apply the changes (once at a time, none lost)."""
        if self._applying is not None:
            self._dirty = True
            return
        self._applying = asyncio.get_running_loop().create_task(self._apply_all())

    async def _apply_all(self) -> None:
        storage = self._storage
        assert isinstance(storage, ChangeFeed)  # noqa: S101 - watch() was called on it
        try:
            self._dirty = True
            while self._dirty and self._jobs.accepting:
                self._dirty = False
                changes = await storage.changes(self._cursor)
                await self.apply(changes)
                self._cursor = changes.cursor
        except Exception:
            log.exception("could not read the changes other processes made to stored jobs")
        finally:
            self._applying = None

    async def apply(self, changes: RowChanges) -> None:
        """Make the live jobs what the changed rows say."""
        jobs = self._jobs
        for job_id in changes.deleted:
            job = jobs.get(job_id)
            if job is not None:  # cancelled elsewhere: its row is gone already
                job.durable = False
                await job.cancel()
        for stored in changes.changed:
            if stored.set_aside is not None:
                continue
            job = jobs.get(stored.row.job_id)
            try:
                if job is None:
                    await self.restore_one(stored)
                elif job.running_task is None:
                    await self.restore_one(stored, reuse=job)
                else:  # running now: its end stores its own state; flags apply after
                    job.paused = stored.paused
            except Exception:
                log.exception("could not apply the change of stored job %s", stored.row.job_id)

    async def stop(self) -> None:
        """Stop applying changes (at shutdown)."""
        task = self._applying
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the stored rows are read and become jobs.

    Nearly every object a restore makes stays alive, so a collection in the
    middle frees nothing but walks all the rows and jobs made so far: a
    fifth of the startup of 100,000 rows. Reference counting goes on freeing
    what dies meanwhile; collections resume after.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Batch:
    """The rows of a startup that are plain jobs, made without awaiting and armed together.

    A row is taken when its task is declared, it is not a cron job, not
    paused, no run is requested and its message decodes: its job enters the
    table as :meth:`JobTable.enter` enters a restored job (not stored again, so
    no outer middleware runs), and the timer arms the batch at once. Each
    task's route and message decoder are looked up once. Any other row, or
    one that fails here, goes through :meth:`Restorer.restore_one`, which arms
    it or sets it aside with the reason.
    """

    __slots__ = ("_jobs", "_ready", "_routes", "_tasks")

    def __init__(self, jobs: JobTable, routes: Mapping[str, RootRoute[Any, Any]]) -> None:
        self._jobs = jobs
        self._routes = routes
        self._tasks: dict[str, tuple[RootRoute[Any, Any], Callable[[bytes], Decoded]] | None] = {}
        self._ready: list[Job[Any]] = []

    def _task(self, name: str) -> tuple[RootRoute[Any, Any], Callable[[bytes], Decoded]] | None:
        route = self._routes.get(name)
        codec = self._jobs.codec
        found = None if route is None or codec is None else (route, codec.decoder(route.func_spec))
        self._tasks[name] = found
        return found

    def take(self, stored: StoredJob) -> bool | Decoded:
        """Make and register the job of ``stored``: True when taken.

        Otherwise it needs ``restore_one``: False, or the decoded message of a
        cron row (so that it is not decoded twice).
        """
        if stored.paused or stored.run_requested:
            return False
        row = stored.row
        task = self._tasks[row.name] if row.name in self._tasks else self._task(row.name)
        if task is None:
            return False
        route, decode = task
        jobs = self._jobs
        try:
            decoded = decode(row.message)
            arguments, _trigger, cron_state, headers = decoded
            if cron_state is not None:
                return decoded
            runnable = route.stored_call(arguments)
            job = jobs.new_job(row.job_id, row.next_run_at)
        except (MessageError, TypeError, ValueError):
            return False  # restore_one sets the row aside, with the reason
        job.bind(route, runnable, durable=route.is_persist)
        job.headers = headers
        jobs.live[job.id] = job
        self._ready.append(job)
        return True

    def arm(self) -> None:
        """Arm the jobs taken so far; the observers see each as scheduled (then pending)."""
        ready = self._ready
        if not ready:
            return
        jobs = self._jobs
        jobs.timer.arm_all(ready)
        for job in ready:
            job.status = JobStatus.SCHEDULED
            jobs.notify_scheduled(job)
            if job.status is JobStatus.SCHEDULED:
                job.status = JobStatus.PENDING  # a restored job is pending until it runs (0.14)
        ready.clear()
