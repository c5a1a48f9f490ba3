"""A restored job id scheduled again: DuplicateJobError, and replace=True replacing the stored job."""

import asyncio

from harness import acatch, phase, report, run_phase

from jobify import Jobify

app = Jobify()
runs: list[str] = []


@app.task
async def work(tag: str) -> str:
    runs.append(tag)
    return tag


async def first() -> None:
    async with app:
        await work.schedule("old").delay(60, job_id="x")
        await work.schedule("old-cron").cron("0 0 1 1 *", job_id="c")
    report({"stored": True})


async def second() -> None:
    async with app:
        dup = await acatch(work.schedule("dup").delay(0.1, job_id="x"))
        new = await work.schedule("new").delay(0.1, job_id="x", replace=True)
        cron = await work.schedule("new-cron").cron("0 12 * * *", job_id="c", replace=True)
        await asyncio.sleep(0.4)
        report(
            {
                "duplicate": dup if "raised" in dup else "ok",
                "replaced_status": new.status.value,
                "runs": runs,
                "cron": cron.cron_expression,
                "active": sorted(j.id for j in app.get_active_jobs()),
            }
        )


async def third() -> None:
    async with app:
        job = app.find_job("c")
        report(
            {"x": app.find_job("x") is not None, "c": None if job is None else job.cron_expression}
        )


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
