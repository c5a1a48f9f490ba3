"""Exception handlers do not see errors raised by user middleware outside them, only the task's."""

import asyncio

from harness import exc, report

from jobify import Jobify
from jobify.middleware import BaseMiddleware


class Breaks(BaseMiddleware):
    async def __call__(self, call_next, context):
        if context.runnable.bound.arguments.get("where") == "middleware":
            raise ValueError("in middleware")
        return await call_next(context)


def handler(error, context):
    return f"handled {error}"


app = Jobify(storage=False, middleware=[Breaks()], exception_handlers={ValueError: handler})


@app.task
async def task(where: str) -> str:
    raise ValueError("in task")


async def main() -> None:
    out = {}
    async with app:
        for where in ("middleware", "task"):
            job = await task.push(where)
            await job.wait()
            out[where] = [
                str(job.status),
                exc(job.exception),
                job.result() if job.exception is None else None,
            ]
    report(out)


asyncio.run(main())
