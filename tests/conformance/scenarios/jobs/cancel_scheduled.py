"""Cancelling a job that has not run yet: it never runs, ends cancelled, leaves the active jobs."""

import asyncio

from harness import acatch, catch, exc, report

from jobify import Jobify

app = Jobify(storage=False)
runs: list[str] = []


@app.task
async def later() -> None:
    runs.append("ran")


async def main() -> None:
    async with app:
        job = await later.schedule().delay(0.1)
        cancelled = await acatch(job.cancel())
        status = job.status.value
        found = app.find_job(job.id)
        active = len(app.get_active_jobs())
        await asyncio.sleep(0.2)
        waited = await acatch(asyncio.wait_for(job.wait(), 1))
    report(
        {
            "cancel_returns": cancelled,
            "status": status,
            "found_after_cancel": found is not None,
            "active_after_cancel": active,
            "runs": runs,
            "is_done": job.is_done(),
            "wait_after_cancel": waited,
            "result": catch(job.result),
            "exception": exc(job.exception),
        }
    )


asyncio.run(main())
