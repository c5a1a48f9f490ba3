"""`job.wait()` has no timeout of its own; `asyncio.wait_for` around it leaves the job untouched."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def slow() -> str:
    await asyncio.sleep(0.3)
    return "done"


async def main() -> None:
    async with app:
        job = await slow.push()
        timed_out = await acatch(asyncio.wait_for(job.wait(), 0.05))
        status_after_timeout = job.status.value
        await job.wait()
    report(
        {
            "wait_for": timed_out,
            "status_after_timeout": status_after_timeout,
            "final": job.status.value,
            "result": job.result(),
        }
    )


asyncio.run(main())
