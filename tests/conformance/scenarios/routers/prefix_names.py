"""A router's prefix goes into its tasks' names: what `.name` and the running job see."""

import asyncio

from harness import report

from jobify import INJECT, JobContext, Jobify, JobRouter

app = Jobify(storage=False)
reports = JobRouter(prefix="reports")


@reports.task
async def weekly(ctx: JobContext = INJECT) -> str:
    return ctx.runnable.name


@reports.task(name="monthly")
async def named(ctx: JobContext = INJECT) -> str:
    return ctx.runnable.name


names = {"declared": [weekly.name, named.name]}
app.include_router(reports)
names["included"] = [weekly.name, named.name]


async def main() -> None:
    async with app:
        names["started"] = [weekly.name, named.name]
        job1 = await weekly.push()
        job2 = await named.push()
        await app.wait_all()
        names["runnable"] = [job1.result(), job2.result()]
        names["router_routes"] = sorted(r.name for r in reports.routes)
    report(names)


asyncio.run(main())
