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
import logging
from typing import TYPE_CHECKING, Any

from jobify._kernel.job import CronContext
from jobify._kernel.message import MessageError
from jobify._kernel.triggers import CronTrigger, resolve_misfire
from jobify._kernel.values import JobStatus
from jobify.storage import ChangeFeed, ControlStorage, SetAsideStorage, StoredJob

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

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
        if cluster is not None:
            stored = await cluster.join(self.adopt)
        elif isinstance(storage, ControlStorage):
            stored = await storage.get_stored_jobs()
        else:
            stored = await storage.get_schedules()
        restored = 0
        for item in stored:
            one = item if isinstance(item, StoredJob) else StoredJob(item)
            if one.row.job_id not in self._jobs.live and await self.restore_one(one):
                restored += 1
        if isinstance(storage, ChangeFeed):
            storage.watch(self._changed)
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

    async def restore_one(self, stored: StoredJob, reuse: Job[Any] | None = None) -> bool:
        """Arm one stored row (``reuse``: the live job it replaces); False when set aside."""
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
            arguments, trigger, cron_state, headers = codec.decode(row.message, route.func_spec)
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
