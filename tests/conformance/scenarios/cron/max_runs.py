"""`Cron(max_runs=n)` via schedule().cron(): n runs, then the job is done with the last result."""

import asyncio

from harness import acatch, report

from jobify import Cron, Jobify

app = Jobify(storage=False)
count = 0


@app.task
async def tick() -> int:
    global count  # noqa: PLW0603
    count += 1
    return count


async def main() -> None:
    async with app:
        job = await tick.schedule().cron(Cron("* * * * * * *", max_runs=2), job_id="two")
        statuses = []
        for _ in range(6):
            await asyncio.sleep(0.5)
            statuses.append(job.status.value)
        report(
            {
                "runs": count,
                "status": job.status.value,
                "is_done": job.is_done(),
                "result": job.result() if job.is_done() else None,
                "await": await acatch(asyncio.wait_for(job.wait(), 1)),
                "found": app.find_job("two") is not None,
                "statuses_seen": sorted(set(statuses)),
            }
        )


asyncio.run(main())
