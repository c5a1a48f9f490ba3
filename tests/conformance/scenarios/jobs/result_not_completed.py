"""`job.result()` before the job ends raises JobNotCompletedError (a BaseJobifyError)."""

import asyncio

from harness import catch, report

from jobify import Jobify
from jobify.exceptions import BaseJobifyError, JobNotCompletedError

app = Jobify(storage=False)


@app.task
async def slow() -> int:
    await asyncio.sleep(0.1)
    return 7


async def main() -> None:
    async with app:
        scheduled = await slow.schedule().delay(0.05)
        before = catch(scheduled.result)
        await asyncio.sleep(0.1)
        running = catch(scheduled.result)
        await scheduled.wait()
        after = catch(scheduled.result)
    report(
        {
            "scheduled": before,
            "running": running,
            "after": after,
            "is_jobify_error": issubclass(JobNotCompletedError, BaseJobifyError),
        }
    )


asyncio.run(main())
