"""A cron job's run count survives a restart: Cron(max_runs=3), 2 runs, restart, then 1 more."""

import asyncio
import time

from harness import phase, report, run_phase

from jobify import Cron, Jobify

app = Jobify()
runs: list[int] = []


@app.task
async def tick() -> None:
    runs.append(1)


async def align() -> None:
    """Wait until just after a whole second: every-second runs then fall 0.9 s, 1.9 s, ... later."""
    await asyncio.sleep(1.1 - time.time() % 1)


async def first() -> None:
    await align()
    async with app:
        await tick.schedule().cron(Cron("* * * * * * *", max_runs=3), job_id="three")
        await asyncio.sleep(2.3)
        report({"runs": len(runs)})


async def second() -> None:
    await align()
    async with app:
        job = app.find_job("three")
        found = job is not None
        await asyncio.sleep(2.3)
        report(
            {
                "found": found,
                "runs": len(runs),
                "status": None if job is None else job.status.value,
                "active": len(app.get_active_jobs()),
            }
        )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
