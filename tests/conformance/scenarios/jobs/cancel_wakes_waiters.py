"""Cancelling a job wakes the coroutines waiting on `job.wait()` and `app.wait_all()`."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def later() -> None:
    pass


async def main() -> None:
    async with app:
        job = await later.schedule().delay(5)
        waiter = asyncio.ensure_future(job.wait())
        all_waiter = asyncio.ensure_future(app.wait_all())
        await asyncio.sleep(0.05)
        pending = [not waiter.done(), not all_waiter.done()]
        await job.cancel()
        woke = await acatch(asyncio.wait_for(waiter, 1))
        all_woke = await acatch(asyncio.wait_for(all_waiter, 1))
    report(
        {"pending_before": pending, "wait": woke, "wait_all": all_woke, "status": job.status.value}
    )


asyncio.run(main())
