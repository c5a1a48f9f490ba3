"""`app.wait_all(timeout=...)` when jobs outlast the timeout: what it returns or raises; jobs go on."""

import asyncio
import time

from harness import acatch, report, within

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def slow() -> str:
    await asyncio.sleep(0.4)
    return "done"


async def main() -> None:
    async with app:
        job = await slow.push()
        t0 = time.monotonic()
        timed_out = await acatch(app.wait_all(timeout=0.1))
        elapsed = time.monotonic() - t0
        status_after = job.status.value
        finished = await acatch(app.wait_all(timeout=2))
    report(
        {
            "timed_out": timed_out,
            "returned_near_timeout": elapsed >= 0.09 and within(elapsed, 0.35),
            "job_after_timeout": status_after,
            "second_wait": finished,
            "final": job.status.value,
        }
    )


asyncio.run(main())
