"""Cron tasks declared in code (``@app.task(cron=...)``): started at every startup.

Each runs as one cron job under the id ``<task name>__jobify_cron_definition``.
A job restored from storage with the same expression is kept (its run count
goes on); a changed expression moves the job to the new schedule. On a cluster
storage every node declares the task: the first node to start stores the row,
and every node arms that same row, so runs and counts are shared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobify._kernel.builder import ScheduleRequest
from jobify._kernel.message import CronState
from jobify._kernel.triggers import CronTrigger, first_cron_run
from jobify._kernel.values import Cron, JobStatus
from jobify.storage import ScheduledJob, StoredJob

if TYPE_CHECKING:
    from collections.abc import Mapping

    from jobify._kernel.jobs import JobTable
    from jobify._kernel.restore import Restorer
    from jobify._kernel.routes import RootRoute
    from jobify._kernel.runnable import Runnable

__all__ = ("CRON_JOB_SUFFIX", "start_declared_crons")

CRON_JOB_SUFFIX = "__jobify_cron_definition"


async def start_declared_crons(
    jobs: JobTable, routes: Mapping[str, RootRoute[Any, Any]], restorer: Restorer
) -> None:
    """Start (or keep, or move) the cron job of every task declared with ``cron=``."""
    for route in routes.values():
        spec = route.options.get("cron")
        if spec is None:
            continue
        cron = spec if isinstance(spec, Cron) else Cron(spec)
        job_id = f"{route.name}{CRON_JOB_SUFFIX}"
        runnable = route.call(tuple(cron.args), dict(cron.kwargs))
        existing = jobs.get(job_id)
        if existing is None and jobs.cluster is not None and route.is_persist:
            row = _first_row(jobs, route, runnable, cron, job_id)
            stored = await jobs.cluster.add_schedule_if_absent(row)
            await restorer.restore_one(StoredJob(stored))
            existing = jobs.get(job_id)
        if existing is not None:
            ctx = existing.cron_context
            if ctx is not None and ctx.cron.expression == cron.expression:
                continue
        parser = route.cron_parser(cron.expression)
        request = ScheduleRequest(route, runnable, job_id, CronTrigger(cron), parser, replace=True)
        await jobs.schedule(request)


def _first_row(
    jobs: JobTable,
    route: RootRoute[Any, Any],
    runnable: Runnable[Any],
    cron: Cron,
    job_id: str,
) -> ScheduledJob:
    """The stored row a ``cron=`` task starts with, before any run."""
    codec = jobs.codec
    assert codec is not None  # noqa: S101 - only a cluster storage asks
    next_at = first_cron_run(cron, route.cron_parser(cron.expression), now=jobs.timer.now())
    state = CronState(run_count=0, failure_count=0, offset=next_at)
    message = codec.encode(route.func_spec, runnable.origin_arguments, CronTrigger(cron), state)
    return ScheduledJob(job_id, route.name, message, JobStatus.SCHEDULED, next_at)
