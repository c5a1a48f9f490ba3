"""`job.wait()`: returns None once the job ends; at once when it has ended; several waiters wake."""

import asyncio
import time

from harness import report, within

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def slow() -> str:
    await asyncio.sleep(0.1)
    return "done"


@app.task
async def fails() -> None:
    raise ValueError("x")


async def main() -> None:
    async with app:
        job = await slow.schedule().delay(0.05)
        t0 = time.monotonic()
        results = await asyncio.gather(job.wait(), job.wait(), job.wait())
        waited = time.monotonic() - t0
        status_after_wait = job.status.value
        t1 = time.monotonic()
        again = await job.wait()
        quick = time.monotonic() - t1
        bad = await fails.push()
        bad_wait = await bad.wait()
    report(
        {
            "returns": results,
            "waited_for_the_run": waited >= 0.1 and within(waited, 1.5),
            "status_after_wait": status_after_wait,
            "again_returns": again,
            "again_at_once": within(quick, 0.05),
            "failed_wait_returns": bad_wait,
            "failed_status": bad.status.value,
        }
    )


asyncio.run(main())
