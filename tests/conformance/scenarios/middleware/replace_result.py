"""A middleware may replace the task's result, or call call_next twice (the task runs twice)."""

import asyncio

from harness import report

from jobify import Jobify
from jobify.middleware import BaseMiddleware

calls: list[int] = []


class Double(BaseMiddleware):
    async def __call__(self, call_next, context):
        result = await call_next(context)
        return {"wrapped": result}


class Twice(BaseMiddleware):
    async def __call__(self, call_next, context):
        first = await call_next(context)
        second = await call_next(context)
        return [first, second]


app = Jobify(storage=False, middleware=[Double(), Twice()])


@app.task
async def task(x: int) -> int:
    calls.append(x)
    return len(calls)


async def main() -> None:
    async with app:
        job = await task.push(3)
        await job.wait()
        out = {"result": job.result(), "status": str(job.status), "calls": calls}
    report(out)


asyncio.run(main())
