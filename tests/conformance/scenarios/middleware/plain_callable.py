"""A plain async function (not a BaseMiddleware subclass) as middleware and outer middleware."""

import asyncio

from harness import acatch, report

from jobify import Jobify

events: list[str] = []


async def inner(call_next, context):
    events.append("inner")
    return await call_next(context)


async def outer(call_next, context):
    events.append("outer")
    return await call_next(context)


app = Jobify(storage=False, middleware=[inner], outer_middleware=[outer])


@app.task
async def task() -> int:
    events.append("task")
    return 7


async def run() -> int:
    job = await task.push()
    await job.wait()
    return job.result()


async def main() -> None:
    async with app:
        out = {"result": await acatch(run())}
    out["events"] = events
    report(out)


asyncio.run(main())
