"""A router task scheduled with delay/at/job_id after inclusion: find_job, active jobs, results."""

import asyncio
from datetime import timedelta

from harness import report

from jobify import Jobify, JobRouter

app = Jobify(storage=False)
router = JobRouter(prefix="jobs")


@router.task
async def add(a: int, b: int) -> int:
    return a + b


app.include_router(router)


async def main() -> None:
    async with app:
        delayed = await add.schedule(1, 2).delay(0.1, job_id="delayed")
        builder = add.schedule(3, 4)
        at = await builder.at(builder.now() + timedelta(seconds=0.15), job_id="at")
        pushed = await add.push(5, 6)
        out = {
            "found": [app.find_job("delayed") is delayed, app.find_job("at") is at],
            "ids": [delayed.id, at.id],
            "active": sorted(j.id for j in app.get_active_jobs() if j.id in ("delayed", "at")),
            "statuses_before": [str(delayed.status), str(at.status)],
        }
        await app.wait_all(2)
        out["results"] = [delayed.result(), at.result(), pushed.result()]
        out["found_after"] = [app.find_job("delayed") is None, app.find_job("at") is None]
    report(out)


asyncio.run(main())
