"""`job.exception` of a failed job keeps its traceback, which names the task's own frame."""

import asyncio
import traceback

from harness import report

from jobify import Jobify

app = Jobify(storage=False)


def helper() -> None:
    raise ZeroDivisionError("deep")


@app.task
async def failing() -> None:
    helper()


async def main() -> None:
    async with app:
        job = await failing.push()
        await job.wait()
    frames = [f.name for f in traceback.extract_tb(job.exception.__traceback__)]
    report(
        {
            "has_traceback": job.exception.__traceback__ is not None,
            "names_task": "failing" in frames,
            "names_helper": frames[-1] if frames else None,
        }
    )


asyncio.run(main())
