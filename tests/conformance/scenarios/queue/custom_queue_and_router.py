"""QueueMiddleware with queue=asyncio.PriorityQueue(), and QueueMiddleware given to a router, not the app."""

import asyncio

from harness import report

from jobify import Jobify, JobRouter
from jobify.middleware import QueueMiddleware

app = Jobify(storage=False, middleware=[QueueMiddleware(queue=asyncio.PriorityQueue(), workers=1)])
router_app = Jobify(storage=False)
router = JobRouter(middleware=[QueueMiddleware(workers=1)])


@app.task
async def on_app(i: int) -> int:
    await asyncio.sleep(0.02)
    return i


@router.task
async def on_router(i: int) -> int:
    return i + 100


router_app.include_router(router)


async def main() -> None:
    out = {}
    async with app:
        jobs = [await on_app.push(i) for i in range(3)]
        await asyncio.wait_for(app.wait_all(), 2)
        out["priority_queue"] = [
            [str(j.status), j.result() if j.exception is None else None] for j in jobs
        ]
    async with router_app:
        job = await on_router.push(1)
        await asyncio.wait_for(job.wait(), 2)
        out["router"] = [
            str(job.status),
            type(job.exception).__name__,
            job.result() if job.exception is None else None,
        ]
    report(out)


asyncio.run(main())
