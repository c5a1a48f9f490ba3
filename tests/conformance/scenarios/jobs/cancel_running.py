"""Cancelling a running job: the task sees CancelledError, the job ends cancelled."""

import asyncio

from harness import acatch, catch, report

from jobify import Jobify

app = Jobify(storage=False)
events: list[str] = []


@app.task
async def long() -> str:
    events.append("started")
    try:
        await asyncio.sleep(2)
    except asyncio.CancelledError:
        events.append("cancelled")
        raise
    events.append("finished")
    return "late"


async def main() -> None:
    async with app:
        job = await long.push()
        await asyncio.sleep(0.1)
        status_running = job.status.value
        cancelled = await acatch(job.cancel())
        await asyncio.sleep(0.05)
        waited = await acatch(asyncio.wait_for(job.wait(), 1))
    report(
        {
            "running": status_running,
            "cancel_returns": cancelled,
            "events": events,
            "status": job.status.value,
            "is_done": job.is_done(),
            "wait": waited,
            "result": catch(job.result),
            "active_after": len(app.get_active_jobs()),
        }
    )


asyncio.run(main())
