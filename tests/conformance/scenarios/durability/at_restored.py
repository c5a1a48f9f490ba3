"""A durable job scheduled with .at(<future>) by one process runs in the next at that time."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify()
ran: list[float] = []


@app.task
async def stamp(label: str) -> str:
    ran.append(time.time())
    return label.upper()


async def first() -> None:
    async with app:
        at = datetime.now(UTC) + timedelta(seconds=1.2)
        job = await stamp.schedule("x").at(at, job_id="a")
        report({"status": job.status.value, "exec_at_tz": str(job.exec_at.tzinfo)})


async def second() -> None:
    async with app:
        job = app.find_job("a")
        found = job is not None
        exec_at = None if job is None else job.exec_at.timestamp()
        await app.wait_all(timeout=3)
        report(
            {
                "found": found,
                "runs": len(ran),
                "on_time": bool(ran) and exec_at is not None and ran[0] >= exec_at,
                "result": job.result() if job is not None and job.is_done() else None,
            }
        )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
