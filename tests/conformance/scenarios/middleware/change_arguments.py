"""A middleware changing context.runnable.bound.arguments before call_next: what the task receives."""

import asyncio

from harness import report

from jobify import Jobify
from jobify.middleware import BaseMiddleware

seen: list[dict] = []


class Rewrite(BaseMiddleware):
    async def __call__(self, call_next, context):
        arguments = context.runnable.bound.arguments
        seen.append(dict(arguments))
        arguments["x"] = arguments["x"] * 10
        return await call_next(context)


app = Jobify(storage=False, middleware=[Rewrite()])


@app.task
async def task(x: int, y: int = 1) -> list[int]:
    return [x, y]


async def main() -> None:
    async with app:
        job = await task.push(2, y=3)
        await job.wait()
        out = {"result": job.result(), "middleware_saw": seen}
    report(out)


asyncio.run(main())
