"""`await job.wait()` on a cron job: when it returns (after a run, or only when the job ends)."""

import asyncio
import time

from harness import report

from jobify import Cron, Jobify

app = Jobify(storage=False)
runs = 0


@app.task
async def tick() -> None:
    global runs  # noqa: PLW0603
    runs += 1


async def main() -> None:
    async with app:
        job = await tick.schedule().cron(Cron("* * * * * * *", max_runs=3), job_id="w")
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(job.wait(), 4)
            woke = "returned"
        except TimeoutError:
            woke = "timed out"
        report(
            {
                "wait": woke,
                "runs_when_woken": runs,
                "status_when_woken": job.status.value,
                "woke_within_1_2_s": time.monotonic() - t0 <= 1.2,
            }
        )


asyncio.run(main())
