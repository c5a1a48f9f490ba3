"""`await job` on a job that has not run yet waits for it; a cancelled job's await raises."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def later(x: int) -> int:
    return x + 1


async def main() -> None:
    async with app:
        job = await later.schedule(1).delay(0.1)
        status_before = job.status.value
        awaited = await acatch(job)
        cancelled = await later.schedule(2).delay(1)
        await cancelled.cancel()
        awaited_cancelled = await acatch(asyncio.wait_for(cancelled, 1))
    report(
        {
            "before": status_before,
            "awaited": awaited,
            "after": job.status.value,
            "awaited_cancelled": awaited_cancelled,
        }
    )


asyncio.run(main())
