"""Shutdown cancels running jobs (the task sees CancelledError), drops scheduled ones, wakes waiters."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)
events: list[str] = []


@app.task
async def long() -> None:
    events.append("started")
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        events.append("cancelled")
        raise


@app.task
def blocking() -> str:
    import time

    time.sleep(0.3)
    return "done"


async def main() -> None:
    await app.startup()
    running = await long.push()
    scheduled = await long.schedule().delay(5)
    cron = await long.schedule().cron("0 0 1 1 *", job_id="yearly")
    in_thread = await blocking.push()
    await asyncio.sleep(0.1)
    waiter = asyncio.ensure_future(running.wait())
    await app.shutdown()
    woke = await acatch(asyncio.wait_for(waiter, 1))
    report(
        {
            "done": [j.is_done() for j in (running, scheduled, cron, in_thread)],
            "events": events,
            "waiter_woke": woke,
            "active": len(app.get_active_jobs()),
        }
    )


asyncio.run(main())
