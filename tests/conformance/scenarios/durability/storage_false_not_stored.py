"""With Jobify(storage=False) nothing is stored: a later default app finds no job."""

import asyncio

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify(storage=False) if phase() == "first" else Jobify()


@app.task
async def work() -> None:
    pass


async def first() -> None:
    async with app:
        await work.schedule().delay(30, job_id="w")
        await work.schedule().cron("0 0 1 1 *", job_id="c")
        report({"active": len(app.get_active_jobs())})


async def second() -> None:
    async with app:
        report({"found": [app.find_job("w") is not None, app.find_job("c") is not None]})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
