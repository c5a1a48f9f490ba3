"""A cron expression with one run left (a pinned second, minute, hour, day, month, year): after it."""

import asyncio
from datetime import UTC, datetime, timedelta

from harness import exc, report

from jobify import Jobify

app = Jobify(storage=False)
runs = 0


@app.task
async def once() -> str:
    global runs  # noqa: PLW0603
    runs += 1
    return "ran"


async def main() -> None:
    async with app:
        at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
        expression = f"{at.second} {at.minute} {at.hour} {at.day} {at.month} * {at.year}"
        job = await once.schedule().cron(expression, job_id="once")
        await asyncio.sleep(2.6)
        report(
            {
                "runs": runs,
                "status": job.status.value,
                "exception": exc(job.exception),
                "is_done": job.is_done(),
                "active": len(app.get_active_jobs()),
            }
        )


asyncio.run(main())
