"""Jobs that finished (succeeded or failed) before shutdown are not restored or run again."""

import asyncio

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify()
runs: list[str] = []


@app.task
async def ok(tag: str) -> str:
    runs.append(tag)
    return tag


@app.task
async def bad(tag: str) -> None:
    runs.append(tag)
    raise ValueError(tag)


async def first() -> None:
    async with app:
        await ok.schedule("ok").delay(0.05, job_id="ok")
        await bad.schedule("bad").delay(0.05, job_id="bad")
        pushed = await ok.push("pushed")
        await app.wait_all(timeout=2)
        report({"runs": sorted(runs), "pushed": pushed.status.value})


async def second() -> None:
    async with app:
        found = [app.find_job(i) is not None for i in ("ok", "bad")]
        await asyncio.sleep(0.3)
        report({"found": found, "runs": runs, "active": len(app.get_active_jobs())})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
