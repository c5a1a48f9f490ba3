"""Steering stored jobs: pause, resume, run now, cancel, reschedule; from code or the CLI.

Each operation is stored first (through the storage's
:class:`~jobify.storage.ControlStorage` ability), so it survives a restart and
reaches the scheduler of the same storage through its change feed when it is
given in another process (a producer, ``jobify jobs pause ID``). When the job
is live in this app, it also takes effect here at once.

- pause: the job is kept but not run; a cron job keeps its schedule.
- resume: it is armed again; a cron job's misfire policy judges the runs it
  missed while paused (``ONCE``: one run now; ``SKIP``: none; ``ALL``: each).
- run now: one extra run now; a cron job's schedule is unchanged.
- cancel: the job ends (``cancelled``) and its row goes; while the app keeps
  results, a ``cancelled`` outcome stays in its place (a producer waiting for
  the job hears of it).
- reschedule: a new time (a one-off job) or a new cron expression.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from jobify._kernel.triggers import resolve_misfire
from jobify._kernel.values import Cron, JobStatus
from jobify.storage import ControlStorage, JobOutcome, ResultStorage

if TYPE_CHECKING:
    from datetime import datetime

    from jobify._kernel.jobs import JobTable
    from jobify._kernel.restore import Restorer
    from jobify.storage import Storage

__all__ = ("JobControl",)

log = logging.getLogger("jobify")


class JobControl:
    """The operations on stored and live jobs of one app."""

    __slots__ = ("_jobs", "_restorer", "_storage")

    def __init__(self, jobs: JobTable, storage: Storage, restorer: Restorer) -> None:
        """Steer the jobs of ``jobs``, stored in ``storage`` (read back by ``restorer``)."""
        self._jobs = jobs
        self._storage = storage
        self._restorer = restorer

    def _control(self, what: str) -> ControlStorage | None:
        storage = self._storage
        if isinstance(storage, ControlStorage):
            return storage
        if self._jobs.producer:
            msg = (
                f"cannot {what}: {type(storage).__name__} keeps no control state; use a "
                "storage that does (SQLite, PostgreSQL), or do it in the scheduler's process"
            )
            raise RuntimeError(msg)
        return None

    async def pause(self, job_id: str) -> bool:
        """Pause ``job_id``; False when no such job is live or stored."""
        control = self._control("pause a job")
        found = await control.set_paused(job_id, paused=True) if control else False
        job = self._jobs.get(job_id)
        if job is not None:
            job.paused = True
            self._jobs.timer.disarm(job)
            found = True
        if found:
            log.info("job %s paused", job_id)
        return found

    async def resume(self, job_id: str) -> bool:
        """Resume ``job_id``; a cron job's misfire policy judges what it missed."""
        control = self._control("resume a job")
        found = await control.set_paused(job_id, paused=False) if control else False
        job = self._jobs.get(job_id)
        if job is not None:
            found = True
            if job.paused:
                job.paused = False
                ctx = job.cron_context
                if ctx is not None:
                    next_at = resolve_misfire(
                        ctx.cron.misfire_policy, planned=job.exec_at,
                        now=self._jobs.timer.now(), parser=ctx.cron_parser,
                    )  # fmt: skip
                    ctx.offset = job.exec_at = next_at
                if job.running_task is None:
                    self._jobs.timer.arm(job)
        if found:
            log.info("job %s resumed", job_id)
        return found

    async def run_now(self, job_id: str) -> bool:
        """One extra run of ``job_id`` now; False when no such job is live or stored."""
        job = self._jobs.get(job_id)
        if job is not None and not self._jobs.producer:
            if job.running_task is None:
                self._jobs.timer.run_now(job)
            return True
        control = self._control("run a job now")
        return await control.request_run(job_id) if control else False

    async def cancel(self, job_id: str) -> bool:
        """Cancel ``job_id``: it ends ``cancelled`` and its row goes."""
        job = self._jobs.get(job_id)
        if job is not None:
            await job.cancel()
            return True
        control = self._control("cancel a job")
        stored = await control.get_stored_job(job_id) if control else None
        if stored is None:
            return False
        storage = self._storage
        if self._jobs.writes.keeps_results and isinstance(storage, ResultStorage):
            # the outcome tells whoever waits for the job (a producer's await job) that it ended
            ended = self._jobs.timer.clock.wall()
            await storage.finish_jobs(
                JobOutcome(job_id, stored.row.name, JobStatus.CANCELLED, None, None, ended)
            )
        else:
            await storage.delete_schedule(job_id)
        return True

    async def reschedule(
        self, job_id: str, *, at: datetime | None = None, cron: str | Cron | None = None
    ) -> bool:
        """Move ``job_id`` to ``at`` (a one-off job) or to ``cron`` (a cron job).

        Raises:
            ValueError: neither or both of ``at`` and ``cron`` given, or a bad value.
        """
        if (at is None) == (cron is None):
            msg = "reschedule_job(): pass at=<aware datetime> or cron=<expression>, one of them"
            raise ValueError(msg)
        jobs = self._jobs
        job = jobs.get(job_id)
        if job is None and isinstance(self._storage, ControlStorage):
            stored = await self._storage.get_stored_job(job_id)
            if stored is None or stored.set_aside is not None:
                return False
            job = self._restorer.load(stored.row)
        if job is None:
            return False
        builder = job.route.builder_for(job.runnable)
        if at is not None:
            await builder.at(at, job_id=job_id, replace=True, force=True)
        else:
            await builder.cron(_cron_like(job, cron), job_id=job_id, replace=True, force=True)
        return True


def _cron_like(job: Any, cron: str | Cron | None) -> Cron:
    """``cron`` as a ``Cron``; an expression keeps the job's other cron settings."""
    if isinstance(cron, Cron):
        return cron
    ctx = job.cron_context
    if ctx is None:
        return Cron(str(cron))
    old = ctx.cron
    return Cron(
        str(cron), max_runs=old.max_runs, max_failures=old.max_failures,
        misfire_policy=old.misfire_policy, start_date=old.start_date,
        args=old.args, kwargs=old.kwargs,
    )  # fmt: skip
