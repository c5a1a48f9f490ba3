"""For a cron job, outer middleware runs when it is scheduled, inner middleware at each run."""

import asyncio

from harness import report

from jobify import Cron, Jobify
from jobify.middleware import BaseMiddleware, BaseOuterMiddleware

outer_runs: list[str] = []
inner_runs: list[str] = []


class Outer(BaseOuterMiddleware):
    async def __call__(self, call_next, context):
        outer_runs.append(context.runnable.name)
        return await call_next(context)


class Inner(BaseMiddleware):
    async def __call__(self, call_next, context):
        inner_runs.append(context.runnable.name)
        return await call_next(context)


app = Jobify(storage=False, middleware=[Inner()], outer_middleware=[Outer()])


@app.task
async def tick() -> str:
    return "tick"


async def main() -> None:
    async with app:
        await tick.schedule().cron(Cron("* * * * * * *", max_runs=1), job_id="every-second")
        await asyncio.sleep(1.3)
    report({"outer_runs": len(outer_runs), "inner_runs": len(inner_runs)})


asyncio.run(main())
