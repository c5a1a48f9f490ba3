"""The demo app: a push, a delay, a job at a time, and a cron job with seconds.

Run it with ``jobify run`` from the repository root (``jobify.toml`` names it),
or with ``python -m examples.quickstart``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from jobify import INJECT, Cron, JobContext, Jobify, JobRouter, State

log = logging.getLogger("examples.quickstart")


@asynccontextmanager
async def lifespan(app: Jobify) -> AsyncIterator[None]:
    """Set up shared resources before any job runs; tear them down at shutdown."""
    app.state.greeting = "hello"
    yield


reports = JobRouter(prefix="reports")


@reports.task(cron=Cron("*/2 * * * * * *", max_runs=3), durable=False)
async def heartbeat(ctx: JobContext = INJECT) -> None:
    """Every two seconds, three times (a 7-field cron: seconds first)."""
    ctx_cron = ctx.job.cron_context
    runs = 0 if ctx_cron is None else ctx_cron.run_count + 1
    print(f"[cron]  heartbeat run {runs} at {ctx.job.exec_at:%H:%M:%S}")


app = Jobify(lifespan=lifespan)
app.include_router(reports)


@app.task
async def greet(name: str, state: State = INJECT) -> str:
    """An async task on the event loop."""
    message = f"{state.greeting}, {name}"
    print(f"[push]  {message}")
    return message


@app.task(retry=2, timeout=5)
def slow_sum(numbers: list[int]) -> int:
    """A sync task: it runs in a worker thread."""
    total = sum(numbers)
    print(f"[delay] sum of {numbers} = {total}")
    return total


@app.task(durable=False)
async def remind(what: str) -> None:
    """A job at a given time."""
    print(f"[at]    reminder: {what}")


async def demo() -> None:
    """Start the app, schedule the demo jobs and wait for them."""
    async with app:
        await schedule_demo_jobs(app)
        await app.wait_all(timeout=15)


async def schedule_demo_jobs(_app: Jobify) -> None:
    """Push now, after a delay, and at a time; the cron job runs by itself.

    ``jobify run`` calls it once the app has started (``[jobify] on_start`` in
    jobify.toml).
    """
    await greet.push("world")
    await slow_sum.schedule([1, 2, 3]).delay(1)
    builder = remind.schedule("stretch your legs")
    await builder.at(builder.now() + timedelta(seconds=3))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(demo())
