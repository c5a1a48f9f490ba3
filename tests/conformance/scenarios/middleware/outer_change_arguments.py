"""An outer middleware changing context.arguments before call_next: what the task receives."""

import asyncio

from harness import report

from jobify import Jobify
from jobify.middleware import BaseOuterMiddleware


class Rewrite(BaseOuterMiddleware):
    async def __call__(self, call_next, context):
        context.arguments["x"] = context.arguments["x"] * 10
        return await call_next(context)


app = Jobify(storage=False, outer_middleware=[Rewrite()])


@app.task
async def task(x: int) -> int:
    return x


async def main() -> None:
    async with app:
        job = await task.push(9)
        await job.wait()
        out = {"result": job.result()}
    report(out)


asyncio.run(main())
