"""`app.wait_all(timeout=0)`: returns with no jobs, raises TimeoutError at once with a pending job."""

import asyncio
import time

from harness import acatch, report, within

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        idle = await acatch(app.wait_all(timeout=0))
        job = await noop.schedule().delay(0.2)
        t0 = time.monotonic()
        busy = await acatch(app.wait_all(timeout=0))
        took = time.monotonic() - t0
        status = job.status.value
        await job.cancel()
    report({"idle": idle, "busy": busy, "at_once": within(took, 0.1), "job_status": status})


asyncio.run(main())
