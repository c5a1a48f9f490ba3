"""Scheduling a task of a router that no app includes fails, before and after startup."""

import asyncio

from harness import acatch, catch, report

from jobify import Jobify, JobRouter

app = Jobify(storage=False)
lonely = JobRouter(prefix="lonely")


@lonely.task
async def orphan() -> int:
    return 1


async def main() -> None:
    out = {
        "push_before": await acatch(orphan.push()),
        "schedule_before": catch(orphan.schedule),
        "direct_call": await orphan(),
    }
    async with app:
        out["push_started"] = await acatch(orphan.push())
    report(out)


asyncio.run(main())
