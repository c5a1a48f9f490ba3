"""A durable cron job from schedule().cron() is restored by the next process and keeps running."""

import asyncio

from harness import phase, report, run_phase

from jobify import Cron, Jobify

app = Jobify()
runs: list[str] = []


@app.task
async def tick(tag: str) -> None:
    runs.append(tag)


async def first() -> None:
    async with app:
        job = await tick.schedule("t").cron(Cron("0 0 1 1 *"), job_id="cron")
        report({"is_cron": job.is_cron(), "next": job.exec_at.strftime("%m-%d %H:%M")})


async def second() -> None:
    async with app:
        job = app.find_job("cron")
        if job is None:
            report({"found": False})
            return
        report(
            {
                "found": True,
                "is_cron": job.is_cron(),
                "cron_expression": job.cron_expression,
                "next": job.exec_at.strftime("%m-%d %H:%M"),
                "active": [j.id for j in app.get_active_jobs()],
                "runs": runs,
            }
        )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
