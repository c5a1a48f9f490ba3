"""A job cancelled from another process (a producer, ``jobify jobs cancel``) ends for whoever waits.

The canceller stores a ``cancelled`` outcome in place of the row (while the
app keeps results), so a producer awaiting the job hears that it ended
instead of waiting forever; the scheduler drops its live copy through the
change feed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from jobify import Jobify, JobStatus
from jobify.testing.memory import MemoryDatabase, MemoryStorage


def make(database: MemoryDatabase, role: str, serializer: Any, **kwargs: Any) -> Jobify:
    app = Jobify.from_config(
        None, storage=MemoryStorage(database=database), serializer=serializer, role=role,
        autoload=False, **kwargs,
    )  # fmt: skip

    @app.task(name="slow")
    async def slow() -> int:
        return 1

    return app


async def eventually(check: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


async def test_a_producer_waiting_for_a_job_cancelled_elsewhere_hears_of_it(serializer) -> None:
    database = MemoryDatabase()
    scheduler = make(database, "scheduler", serializer)
    producer = make(database, "producer", serializer)
    operator = make(database, "producer", serializer)
    async with scheduler, producer, operator:
        job = await producer.registry.routes["slow"].schedule().delay(3600, job_id="x")
        await eventually(lambda: scheduler.find_job("x") is not None)
        assert await operator.cancel_job("x")
        async with asyncio.timeout(5):
            await job.wait()
        assert job.status is JobStatus.CANCELLED
        outcome = await producer.job_outcome("x")
        assert outcome is not None
        assert outcome.status is JobStatus.CANCELLED
        await eventually(lambda: scheduler.find_job("x") is None)
        assert database.rows == {}


async def test_without_kept_results_the_row_just_goes(serializer) -> None:
    database = MemoryDatabase()
    scheduler = make(database, "scheduler", serializer, results_ttl=0)
    operator = make(database, "producer", serializer, results_ttl=0)
    async with scheduler, operator:
        await scheduler.registry.routes["slow"].schedule().delay(3600, job_id="x")
        assert await operator.cancel_job("x")
        assert await operator.cancel_job("x") is False
        await eventually(lambda: scheduler.find_job("x") is None)
        assert database.rows == {}
        assert database.outcomes == {}
