"""Waiting for jobs in tests: ``await until_done(job)`` outlasts every run of a cron job."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify._kernel.job import Job

__all__ = ("until_done",)


async def until_done(job: Job[Any], timeout: float | None = None) -> None:  # noqa: ASYNC109
    """Wait until ``job`` has ended, in at most ``timeout`` seconds.

    ``job.wait()`` of a cron job returns after each run (as with jobify 0.14);
    this waits until its schedule ends (``max_runs``, ``max_failures``,
    cancellation). For a one-off job it is ``job.wait()``.

    Raises:
        TimeoutError: the job had not ended after ``timeout`` seconds.
    """
    async with asyncio.timeout(timeout):
        while not job.is_done():
            await job.wait()
