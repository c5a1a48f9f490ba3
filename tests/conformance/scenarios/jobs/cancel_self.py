"""A task that cancels its own job while running: what the task sees and the job's final status."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
events: list[str] = []


@app.task
async def self_cancelling() -> str:
    job = app.find_job("me")
    events.append("running")
    try:
        await job.cancel()
        events.append("after cancel()")
        await asyncio.sleep(0.1)
        events.append("after sleep")
    except asyncio.CancelledError:
        events.append("cancelled")
        raise
    return "finished"


async def main() -> None:
    async with app:
        job = await self_cancelling.schedule().delay(0, job_id="me")
        await asyncio.wait_for(job.wait(), 2)
        await asyncio.sleep(0.15)
    report({"events": events, "status": job.status.value, "is_done": job.is_done()})


asyncio.run(main())
