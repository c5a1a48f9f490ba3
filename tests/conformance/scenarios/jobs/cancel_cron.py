"""Cancelling a cron job: no more runs, status cancelled, it leaves the active jobs."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
runs: list[int] = []


@app.task
async def tick() -> None:
    runs.append(1)


async def main() -> None:
    async with app:
        job = await tick.schedule().cron("* * * * *", job_id="every-minute")
        active_before = len(app.get_active_jobs())
        await job.cancel()
        await asyncio.sleep(0.05)
        out = {
            "active_before": active_before,
            "status": job.status.value,
            "is_done": job.is_done(),
            "found": app.find_job("every-minute") is not None,
            "active_after": len(app.get_active_jobs()),
            "runs": len(runs),
        }
        again = await tick.schedule().cron("* * * * *", job_id="every-minute")
        out["id_reusable"] = again.id == "every-minute" and again.status.value
    report(out)


asyncio.run(main())
