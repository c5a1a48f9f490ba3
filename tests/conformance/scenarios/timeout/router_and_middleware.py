"""timeout on a router task, and a timed-out job seen by an outer user middleware (after call_next)."""

import asyncio

from harness import report

from jobify import Jobify, JobRouter
from jobify.middleware import BaseMiddleware

seen: list[object] = []


class After(BaseMiddleware):
    async def __call__(self, call_next, context):
        try:
            return await call_next(context)
        except Exception as error:
            seen.append(["middleware saw", type(error).__name__, str(context.job.status)])
            raise


app = Jobify(storage=False, middleware=[After()])
router = JobRouter(prefix="r")


@router.task(timeout=0.1)
async def slow() -> None:
    await asyncio.sleep(1)


app.include_router(router)


async def main() -> None:
    async with app:
        job = await slow.push()
        await job.wait()
        out = {"status": str(job.status), "exception": type(job.exception).__name__, "seen": seen}
    report(out)


asyncio.run(main())
