"""Replacing a job moves its exec_at to the new time, earlier or later, and it runs then."""

import asyncio
from datetime import UTC, datetime, timedelta

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
ran: list[str] = []


@app.task
async def record(x: str) -> None:
    ran.append(x)


async def main() -> None:
    async with app:
        first = datetime(2035, 1, 1, tzinfo=UTC)
        job = await record.schedule("far").at(first, job_id="j")
        before = job.exec_at == first
        later = first + timedelta(days=1)
        await record.schedule("later").at(later, job_id="j", replace=True)
        moved_later = job.exec_at == later
        soon = datetime.now(UTC) + timedelta(seconds=0.05)
        await record.schedule("soon").at(soon, job_id="j", replace=True)
        moved_soon = job.exec_at == soon
        await asyncio.wait_for(job.wait(), 2)
    report({"initial": before, "later": moved_later, "soon": moved_soon, "ran": ran})


asyncio.run(main())
