"""`Cron("0 9 * * *", start_date=<next week>)`: exec_at is the first 09:00 at or after start_date."""

import asyncio
from datetime import UTC, datetime, timedelta

from harness import report

from jobify import Cron, Jobify

app = Jobify(storage=False)


@app.task
async def tick() -> None:
    pass


async def main() -> None:
    async with app:
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        out = {}
        for name, start in {
            "midnight": today + timedelta(days=7),
            "at_nine": today + timedelta(days=7, hours=9),
            "after_nine": today + timedelta(days=7, hours=9, minutes=30),
        }.items():
            job = await tick.schedule().cron(Cron("0 9 * * *", start_date=start), job_id=name)
            out[name] = str(job.exec_at - start)
    report(out)


asyncio.run(main())
