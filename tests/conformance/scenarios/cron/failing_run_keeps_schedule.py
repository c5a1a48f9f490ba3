"""A cron run that raises: the job stays scheduled for the next run; status and exception between."""

import asyncio
import time

from harness import exc, report

from jobify import Jobify

app = Jobify(storage=False)
runs = 0


@app.task
async def bad() -> None:
    global runs  # noqa: PLW0603
    runs += 1
    raise OSError("disk")


async def align() -> None:
    """Wait until just after a whole second: every-second runs then fall 0.9 s, 1.9 s, ... later."""
    await asyncio.sleep(1.1 - time.time() % 1)


async def main() -> None:
    await align()
    async with app:
        job = await bad.schedule().cron("* * * * * * *", job_id="bad")
        await asyncio.sleep(1.5)
        report(
            {
                "runs": runs,
                "status": job.status.value,
                "exception": exc(job.exception),
                "is_done": job.is_done(),
                "active": [j.id for j in app.get_active_jobs()],
            }
        )


asyncio.run(main())
