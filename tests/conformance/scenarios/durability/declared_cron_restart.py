"""A declared cron task (@app.task(cron=Cron(max_runs=3))) across a restart: runs counted on."""

import asyncio
import time

from harness import phase, report, run_phase

from jobify import Cron, Jobify

app = Jobify()
runs: list[int] = []


@app.task(cron=Cron("* * * * * * *", max_runs=3))
async def tick() -> None:
    runs.append(1)


async def align() -> None:
    """Wait until just after a whole second: every-second runs then fall 0.9 s, 1.9 s, ... later."""
    await asyncio.sleep(1.1 - time.time() % 1)


async def run() -> None:
    await align()
    async with app:
        jobs = app.get_active_jobs()
        await asyncio.sleep(2.3)
        report(
            {
                "jobs_at_start": len(jobs),
                "runs": len(runs),
                "active_after": len(app.get_active_jobs()),
            }
        )


if phase() in ("first", "second"):
    asyncio.run(run())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
