"""A cron job between runs: result() raises JobNotCompletedError, is_done False, exception None."""

import asyncio
import time

from harness import catch, report

from jobify import Jobify

app = Jobify(storage=False)
runs = 0


@app.task
async def tick() -> int:
    global runs  # noqa: PLW0603
    runs += 1
    return runs


async def align() -> None:
    """Wait until just after a whole second: every-second runs then fall 0.9 s, 1.9 s, ... later."""
    await asyncio.sleep(1.1 - time.time() % 1)


async def main() -> None:
    await align()
    async with app:
        job = await tick.schedule().cron("* * * * * * *", job_id="r")
        before = catch(job.result)
        await asyncio.sleep(1.5)
        report(
            {
                "before_first_run": before,
                "after_a_run": catch(job.result),
                "runs": runs,
                "is_done": job.is_done(),
                "exception": job.exception,
                "status": job.status.value,
                "is_reschedulable": job.is_reschedulable(),
            }
        )


asyncio.run(main())
