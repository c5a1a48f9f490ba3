"""A durable job cancelled before shutdown (delay and cron) is not restored by the next process."""

import asyncio

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify()
runs: list[str] = []


@app.task
async def work(tag: str) -> None:
    runs.append(tag)


async def first() -> None:
    async with app:
        delayed = await work.schedule("delay").delay(0.5, job_id="d")
        cron = await work.schedule("cron").cron("* * * * * * *", job_id="c")
        await delayed.cancel()
        await cron.cancel()
        report({"statuses": [delayed.status.value, cron.status.value]})


async def second() -> None:
    async with app:
        found = [app.find_job("d") is not None, app.find_job("c") is not None]
        await asyncio.sleep(1.2)
        report({"found": found, "runs": runs})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
