"""A restored job can be cancelled; it does not run, and a third process does not restore it."""

import asyncio

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify()
runs: list[str] = []


@app.task
async def work() -> None:
    runs.append("ran")


async def first() -> None:
    async with app:
        await work.schedule().delay(0.6, job_id="w")
    report({"stored": True})


async def second() -> None:
    async with app:
        job = app.find_job("w")
        if job is not None:
            await job.cancel()
        await asyncio.sleep(0.8)
        report(
            {
                "found": job is not None,
                "status": None if job is None else job.status.value,
                "runs": runs,
            }
        )


async def third() -> None:
    async with app:
        report({"found": app.find_job("w") is not None})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
elif phase() == "third":
    asyncio.run(third())
else:
    report(
        {"first": run_phase("first"), "second": run_phase("second"), "third": run_phase("third")}
    )
