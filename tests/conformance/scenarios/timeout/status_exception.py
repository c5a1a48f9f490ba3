"""timeout= on an async task: status TIMEOUT, JobTimeoutError, result() and the task seeing cancellation."""

import asyncio
import time

from harness import catch, exc, report, within

from jobify import Jobify
from jobify.exceptions import JobTimeoutError

app = Jobify(storage=False)
seen: list[str] = []


@app.task(timeout=0.1)
async def slow() -> str:
    try:
        await asyncio.sleep(2)
    except asyncio.CancelledError:
        seen.append("cancelled")
        raise
    return "never"


@app.task(timeout=1)
async def fast() -> str:
    return "fast"


async def main() -> None:
    async with app:
        start = time.monotonic()
        job = await slow.push()
        await job.wait()
        elapsed = time.monotonic() - start
        ok = await fast.push()
        await ok.wait()
        out = {
            "status": str(job.status),
            "exception": exc(job.exception),
            "is_job_timeout_error": isinstance(job.exception, JobTimeoutError),
            "is_builtin_timeout": isinstance(job.exception, TimeoutError),
            "result": catch(job.result),
            "is_done": job.is_done(),
            "within_1s": within(elapsed, 1.0),
            "seen": seen,
            "fast": [str(ok.status), ok.result()],
        }
    report(out)


asyncio.run(main())
