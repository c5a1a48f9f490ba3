"""find_job, get_active_jobs and wait_all before startup and after shutdown."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    out = {
        "before": {
            "find_job": app.find_job("x"),
            "active": app.get_active_jobs(),
            "wait_all": await acatch(asyncio.wait_for(app.wait_all(), 1)),
        }
    }
    async with app:
        await noop.schedule().delay(5, job_id="x")
    out["after"] = {
        "find_job": app.find_job("x"),
        "active": app.get_active_jobs(),
        "wait_all": await acatch(asyncio.wait_for(app.wait_all(), 1)),
    }
    report(out)


asyncio.run(main())
