"""jobify.middleware.CallNext / CallNextOuter as runtime type aliases, and middleware annotated with them."""

import asyncio
import typing
from typing import Any

from harness import catch, report

from jobify import Jobify
from jobify.middleware import BaseMiddleware, BaseOuterMiddleware, CallNext, CallNextOuter


class Inner(BaseMiddleware):
    async def __call__(self, call_next: CallNext, context: Any) -> Any:
        return await call_next(context)


class Outer(BaseOuterMiddleware):
    async def __call__(self, call_next: CallNextOuter, context: Any) -> Any:
        return await call_next(context)


app = Jobify(storage=False, middleware=[Inner()], outer_middleware=[Outer()])


@app.task
async def task() -> int:
    return 1


def origin(alias: object) -> str:
    found = typing.get_origin(alias)
    return f"{found.__module__}.{found.__qualname__}" if found else repr(found)


async def main() -> None:
    out = {
        "call_next_origin": origin(CallNext),
        "call_next_outer_origin": origin(CallNextOuter),
        "call_next_args": len(typing.get_args(CallNext)),
        "hints_inner": catch(lambda: sorted(typing.get_type_hints(Inner.__call__))),
    }
    async with app:
        job = await task.push()
        await job.wait()
        out["result"] = job.result()
    report(out)


asyncio.run(main())
