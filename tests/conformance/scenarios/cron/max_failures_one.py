"""`Cron(max_failures=1)` stops a cron job at its first failure; the status it ends with."""

import asyncio

from harness import exc, report

from jobify import Cron, Jobify

app = Jobify(storage=False)
count = 0


@app.task
async def broken() -> None:
    global count  # noqa: PLW0603
    count += 1
    raise KeyError("first")


async def main() -> None:
    async with app:
        job = await broken.schedule().cron(Cron("* * * * * * *", max_failures=1), job_id="b")
        await asyncio.sleep(2.3)
        report(
            {
                "runs": count,
                "status": job.status.value,
                "exception": exc(job.exception),
                "active": len(app.get_active_jobs()),
            }
        )


asyncio.run(main())
