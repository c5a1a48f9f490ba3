"""JobContext inside a cron run: the job is a cron job with its expression and the given job_id."""

import asyncio

from harness import report

from jobify import INJECT, Cron, JobContext, Jobify

app = Jobify(storage=False)
seen: list[dict] = []


@app.task
async def tick(ctx: JobContext = INJECT) -> None:
    seen.append(
        {
            "is_cron": ctx.job.is_cron(),
            "cron_expression": ctx.job.cron_expression,
            "job_id": ctx.job.id,
            "status": str(ctx.job.status),
            "found": app.find_job(ctx.job.id) is ctx.job,
        }
    )


async def main() -> None:
    async with app:
        job = await tick.schedule().cron(Cron("* * * * * * *", max_runs=1), job_id="each-second")
        outside = [job.is_cron(), job.cron_expression, job.id]
        await asyncio.sleep(1.3)
    report({"outside": outside, "inside": seen})


asyncio.run(main())
