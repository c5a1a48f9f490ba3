"""MisfirePolicy.ONCE at restore: the runs missed while the app was down run once at startup."""

import asyncio
import time
from datetime import UTC, datetime

from harness import phase, report, run_phase

from jobify import Cron, Jobify, MisfirePolicy

app = Jobify()
runs: list[float] = []


@app.task
async def tick() -> None:
    runs.append(time.time())


async def first() -> None:
    async with app:
        now = datetime.now(UTC)
        # two runs 2 and 3 s from now, then the same seconds of each later minute
        seconds = f"{(now.second + 2) % 60},{(now.second + 3) % 60}"
        job = await tick.schedule().cron(
            Cron(f"{seconds} * * * * * *", misfire_policy=MisfirePolicy.ONCE), job_id="c"
        )
        report({"base": int(now.timestamp()), "runs": len(runs), "status": job.status.value})


async def second() -> None:
    started = time.time()
    async with app:
        job = app.find_job("c")
        restored = None if job is None else job.is_cron()
        await asyncio.sleep(0.6)
        now = datetime.now(UTC)
        report(
            {
                "restored": restored,
                "runs_in_0_6_s": len(runs),
                "runs_at_startup": sum(1 for r in runs if r - started < 0.5),
                "next_exec_at": None
                if job is None
                else (
                    "past"
                    if job.exec_at <= now
                    else f"{round((job.exec_at - now).total_seconds() / 60)} min"
                ),
            }
        )


def main() -> None:
    stored = run_phase("first")
    time.sleep(max(0.0, stored.get("base", 0) + 3.6 - time.time()))  # both runs missed
    restored = run_phase("second")
    report({"first": {k: v for k, v in stored.items() if k != "base"}, "second": restored})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    main()
