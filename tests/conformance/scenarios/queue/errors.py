"""Through QueueMiddleware: a failing task, retries, exception handlers and a non-numeric priority."""

import asyncio

from harness import exc, report

from jobify import Jobify, SmartRetry
from jobify.middleware import QueueMiddleware

app = Jobify(storage=False, middleware=[QueueMiddleware(workers=1)])
calls = {"flaky": 0}


@app.task
async def boom() -> None:
    raise ValueError("boom")


@app.task(retry=SmartRetry(2, initial_delay=0.01, jitter=False))
async def flaky() -> int:
    calls["flaky"] += 1
    if calls["flaky"] < 3:
        raise OSError
    return calls["flaky"]


@app.task(exception_handlers={KeyError: lambda error, context: "handled"})
async def handled() -> None:
    raise KeyError


@app.task(metadata={"priority": "high"})
async def bad_priority() -> int:
    return 1


async def main() -> None:
    out = {}
    async with app:
        jobs = {
            "boom": await boom.push(),
            "flaky": await flaky.push(),
            "handled": await handled.push(),
            "bad_priority": await bad_priority.push(),
        }
        await asyncio.wait_for(app.wait_all(), 3)
        for key, job in jobs.items():
            out[key] = [
                str(job.status),
                exc(job.exception),
                job.result() if job.exception is None else None,
            ]
    report(out)


asyncio.run(main())
