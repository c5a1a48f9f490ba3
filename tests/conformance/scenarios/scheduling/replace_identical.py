"""Replacing a job with the same time and arguments (with and without force): one run, which arguments."""

import asyncio
from datetime import UTC, datetime, timedelta

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
runs: list[str] = []


@app.task
async def record(x: str) -> None:
    runs.append(x)


async def main() -> None:
    async with app:
        when = datetime.now(UTC) + timedelta(seconds=0.15)
        a = await record.schedule("a").at(when, job_id="j")
        b = await record.schedule("a").at(when, job_id="j", replace=True)
        c = await record.schedule("c").at(when, job_id="j", replace=True)
        d = await record.schedule("d").at(when, job_id="j", replace=True, force=True)
        same = [x is a for x in (b, c, d)]
        await app.wait_all(timeout=2)
    report({"same_object": same, "runs": runs, "status": a.status.value})


asyncio.run(main())
