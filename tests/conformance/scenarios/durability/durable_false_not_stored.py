"""`@app.task(durable=False)` jobs are not stored: the next process neither finds nor runs them."""

import asyncio

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify()
runs: list[str] = []


@app.task(durable=False)
async def fleeting(tag: str) -> None:
    runs.append(tag)


@app.task
async def kept(tag: str) -> None:
    runs.append(tag)


async def first() -> None:
    async with app:
        await fleeting.schedule("delay").delay(0.5, job_id="fleeting")
        await fleeting.schedule("cron").cron("* * * * * * *", job_id="fleeting-cron")
        await kept.schedule("kept").delay(0.5, job_id="kept")
        report({"active": sorted(j.id for j in app.get_active_jobs())})


async def second() -> None:
    async with app:
        found = {i: app.find_job(i) is not None for i in ("fleeting", "fleeting-cron", "kept")}
        await asyncio.sleep(0.8)
        report({"found": found, "runs": sorted(runs)})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
