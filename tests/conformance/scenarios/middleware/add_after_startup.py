"""add_middleware / add_outer_middleware after startup: raised or accepted, and whether they apply."""

import asyncio

from harness import catch, report

from jobify import Jobify, JobRouter
from jobify.middleware import BaseMiddleware, BaseOuterMiddleware

events: list[str] = []


class Inner(BaseMiddleware):
    async def __call__(self, call_next, context):
        events.append("inner")
        return await call_next(context)


class Outer(BaseOuterMiddleware):
    async def __call__(self, call_next, context):
        events.append("outer")
        return await call_next(context)


app = Jobify(storage=False)
router = JobRouter()


@router.task
async def task() -> int:
    return 1


app.include_router(router)


async def main() -> None:
    async with app:
        out = {
            "app_inner": catch(app.add_middleware, Inner()),
            "app_outer": catch(app.add_outer_middleware, Outer()),
            "router_inner": catch(router.add_middleware, Inner()),
            "router_outer": catch(router.add_outer_middleware, Outer()),
        }
        job = await task.push()
        await job.wait()
        out["result"] = job.result()
        out["events"] = events
    report(out)


asyncio.run(main())
