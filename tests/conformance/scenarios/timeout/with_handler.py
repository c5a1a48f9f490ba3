"""A timeout is JobTimeoutError for exception handlers: a TimeoutError handler misses it, its own catches it."""

import asyncio

from harness import exc, report

from jobify import Jobify
from jobify.exceptions import BaseJobifyError, JobTimeoutError


def handler(tag: str):
    def handle(error, context):
        return f"{tag} {type(error).__name__}"

    return handle


app = Jobify(storage=False)


@app.task(timeout=0.1, exception_handlers={TimeoutError: handler("builtin")})
async def builtin_handler() -> None:
    await asyncio.sleep(1)


@app.task(timeout=0.1, exception_handlers={JobTimeoutError: handler("jobify")})
async def jobify_handler() -> None:
    await asyncio.sleep(1)


@app.task(timeout=0.1, exception_handlers={BaseJobifyError: handler("base")})
async def base_handler() -> None:
    await asyncio.sleep(1)


@app.task(timeout=0.1, exception_handlers={Exception: handler("any")})
async def any_handler() -> None:
    await asyncio.sleep(1)


async def main() -> None:
    out = {}
    routes = {
        "builtin": builtin_handler,
        "jobify": jobify_handler,
        "base": base_handler,
        "any": any_handler,
    }
    async with app:
        for key, route in routes.items():
            job = await route.push()
            await job.wait()
            out[key] = [
                str(job.status),
                exc(job.exception),
                job.result() if job.exception is None else None,
            ]
    report(out)


asyncio.run(main())
