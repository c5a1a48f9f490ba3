"""A handler that raises (another exception, or re-raises): the job's status and exception."""

import asyncio

from harness import exc, report

from jobify import Jobify


def reraise(error, context):
    raise error


def other(error, context):
    raise KeyError("from handler")


app = Jobify(storage=False)


@app.task(exception_handlers={ValueError: reraise})
async def reraising() -> None:
    raise ValueError("original")


@app.task(exception_handlers={ValueError: other})
async def replacing() -> None:
    raise ValueError("original")


async def main() -> None:
    out = {}
    async with app:
        for label, route in (("reraising", reraising), ("replacing", replacing)):
            job = await route.push()
            await job.wait()
            out[label] = [
                str(job.status),
                exc(job.exception, message=True),
                exc(job.exception.__cause__ if job.exception else None),
                exc(job.exception.__context__ if job.exception else None),
            ]
    report(out)


asyncio.run(main())
