"""The app's operator API: pause, resume, run now, cancel, reschedule, outcomes, history.

Mixed into :class:`~jobify._kernel.app.Jobify`; each method hands over to the
app's :class:`~jobify._kernel.control.JobControl` or reads a storage ability.
None of it is in jobify 0.14's API; all of it sits beside it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from jobify._kernel.configuration import AppStatistics
from jobify._kernel.outcome import Outcome, decode_outcome
from jobify._kernel.upkeep import Upkeep
from jobify.storage import HistoryStorage, ResultStorage

if TYPE_CHECKING:
    from datetime import datetime

    from jobify._kernel.arguments import ExtraArguments
    from jobify._kernel.configuration import JobifyConfiguration
    from jobify._kernel.control import JobControl
    from jobify._kernel.registry import Registry
    from jobify._kernel.values import Cron
    from jobify.storage import RunRecord

__all__ = ("Operating",)


class Operating:
    """Operator calls of an app (see the module docstring)."""

    configs: JobifyConfiguration
    control: JobControl
    extra: ExtraArguments
    registry: Registry

    def statistics(self) -> AppStatistics:
        """A snapshot: tasks declared, jobs live and running, timers armed, writes pending."""
        jobs = self.configs.jobs
        return AppStatistics(
            tasks=len(self.registry.routes),
            jobs_live=len(jobs.live),
            jobs_running=len(jobs.running),
            timers_armed=self.configs.timer.armed,
            pending_deletes=jobs.writes.pending,
        )

    async def pause_job(self, job_id: str) -> bool:
        """Pause a job (kept, not run; a cron job keeps its schedule); False if unknown."""
        return await self.control.pause(job_id)

    async def resume_job(self, job_id: str) -> bool:
        """Resume a paused job; a cron job's misfire policy judges the runs it missed."""
        return await self.control.resume(job_id)

    async def run_job_now(self, job_id: str) -> bool:
        """One extra run of a job now (a cron job's schedule stays); False if unknown."""
        return await self.control.run_now(job_id)

    async def cancel_job(self, job_id: str) -> bool:
        """Cancel a job: it ends ``cancelled`` and its stored row goes; False if unknown."""
        return await self.control.cancel(job_id)

    async def reschedule_job(
        self, job_id: str, *, at: datetime | None = None, cron: str | Cron | None = None
    ) -> bool:
        """Move a job to a new time (``at``) or cron expression (``cron``); False if unknown."""
        return await self.control.reschedule(job_id, at=at, cron=cron)

    async def job_outcome(self, job_id: str) -> Outcome | None:
        """How a finished durable job ended, while the app keeps results (``results_ttl``).

        ``find_job`` forgets a job once it ends (as in jobify 0.14); this reads
        the outcome kept in storage, from any process on that storage (a
        producer too). None when it is not (or no longer) kept.
        """
        storage = self.configs.storage
        if not isinstance(storage, ResultStorage):
            return None
        outcome = await storage.get_outcome(job_id)
        if outcome is None:
            return None
        route = self.registry.routes.get(outcome.name)
        annotation = Any if route is None else route.func_spec.return_annotation
        return decode_outcome(outcome, self.configs.jobs.codec, annotation)

    async def job_history(
        self, job_id: str | None = None, *, limit: int = 50, failed_only: bool = False
    ) -> list[RunRecord]:
        """The latest runs, newest first, of one job or of all (with run history on)."""
        storage = self.configs.storage
        if not isinstance(storage, HistoryStorage):
            return []
        runs = await storage.get_runs(job_id=job_id, limit=limit, failed_only=failed_only)
        return [run for _, run in runs]

    def start_upkeep(self, stack: contextlib.AsyncExitStack) -> None:
        """Sweep old outcomes and history in the background while the app runs (if kept)."""
        writes = self.configs.jobs.writes
        storage = self.configs.storage
        upkeep = Upkeep(
            now=self.configs.timer.clock.wall,
            results=storage if writes.keeps_results else None,  # type: ignore[arg-type]
            results_ttl=self.extra.results_ttl,
            history=storage if writes.keeps_history else None,  # type: ignore[arg-type]
            retention=self.extra.history,
        )
        if upkeep.needed:
            upkeep.start()
            stack.push_async_callback(upkeep.stop)
