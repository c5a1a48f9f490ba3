"""`Cron(max_failures=2)`: a cron task failing every run stops after 2 consecutive failures."""

import asyncio

from harness import exc, report

from jobify import Cron, Jobify

app = Jobify(storage=False)
count = 0


@app.task
async def broken() -> None:
    global count  # noqa: PLW0603
    count += 1
    raise ValueError(f"run {count}")


async def main() -> None:
    async with app:
        job = await broken.schedule().cron(Cron("* * * * * * *", max_failures=2), job_id="b")
        await asyncio.sleep(3.3)
        report(
            {
                "runs": count,
                "status": job.status.value,
                "is_done": job.is_done(),
                "exception": exc(job.exception),
                "found": app.find_job("b") is not None,
                "active": len(app.get_active_jobs()),
            }
        )


asyncio.run(main())
