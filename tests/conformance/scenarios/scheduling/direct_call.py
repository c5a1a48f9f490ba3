"""Calling a decorated task directly runs the function itself: no job, no middleware, works unstarted."""

import asyncio
import inspect

from harness import catch, report

from jobify import Jobify
from jobify.middleware import BaseMiddleware

calls: list[str] = []


class Spy(BaseMiddleware):
    async def __call__(self, call_next, context):
        calls.append("middleware")
        return await call_next(context)


app = Jobify(storage=False, middleware=[Spy()])


@app.task
async def add(a: int, b: int = 1) -> int:
    return a + b


@app.task
def mul(a: int, b: int) -> int:
    return a * b


async def main() -> None:
    before_start = await add(1, 2)
    coro = add(2)
    is_coro = inspect.iscoroutine(coro)
    awaited = await coro
    sync_result = mul(3, 4)
    async with app:
        started = await add(5)
        active = len(app.get_active_jobs())
    report(
        {
            "async_unstarted": before_start,
            "returns_coroutine": is_coro,
            "awaited": awaited,
            "sync": sync_result,
            "started": started,
            "active": active,
            "middleware_calls": calls,
            "bad_args": catch(mul, 1),
        }
    )


asyncio.run(main())
