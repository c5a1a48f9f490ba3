"""A middleware that returns without call_next: the task never runs; its return is the job's result."""

import asyncio

from harness import report

from jobify import Jobify
from jobify.middleware import BaseMiddleware

ran: list[str] = []
later: list[str] = []


class Gate(BaseMiddleware):
    async def __call__(self, call_next, context):
        if context.runnable.bound.arguments.get("x") == 0:
            return "blocked"
        return await call_next(context)


class After(BaseMiddleware):
    async def __call__(self, call_next, context):
        later.append("after-gate")
        return await call_next(context)


app = Jobify(storage=False, middleware=[Gate(), After()])


@app.task
async def task(x: int) -> int:
    ran.append(f"task {x}")
    return x


async def main() -> None:
    async with app:
        blocked = await task.push(0)
        passed = await task.push(5)
        await app.wait_all()
        out = {
            "blocked": [blocked.result(), str(blocked.status)],
            "passed": [passed.result(), str(passed.status)],
            "ran": ran,
            "later": later,
        }
    report(out)


asyncio.run(main())
