"""A middleware raising before or after call_next: job status and exception, and whether the task ran."""

import asyncio

from harness import exc, report

from jobify import Jobify, JobRouter
from jobify.middleware import BaseMiddleware

ran: list[str] = []


class Before(BaseMiddleware):
    async def __call__(self, call_next, context):
        raise KeyError("before")


class After(BaseMiddleware):
    async def __call__(self, call_next, context):
        await call_next(context)
        raise LookupError("after")


app = Jobify(storage=False)
r_before = JobRouter(prefix="b", middleware=[Before()])
r_after = JobRouter(prefix="a", middleware=[After()])


@r_before.task
async def first() -> int:
    ran.append("first")
    return 1


@r_after.task
async def second() -> int:
    ran.append("second")
    return 2


app.include_routers(r_before, r_after)


async def main() -> None:
    async with app:
        j1 = await first.push()
        j2 = await second.push()
        await app.wait_all()
        out = {
            "before": [str(j1.status), exc(j1.exception)],
            "after": [str(j2.status), exc(j2.exception)],
            "ran": ran,
        }
    report(out)


asyncio.run(main())
