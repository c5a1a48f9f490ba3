"""`.delay(seconds, now=...)`: the run time is `now + seconds` (aware `now`); a past base runs at once."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from harness import report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        base = datetime(2035, 1, 1, 12, 0, tzinfo=UTC)
        future = await noop.schedule().delay(30, now=base)
        tokyo = await noop.schedule().delay(
            60, now=datetime(2035, 1, 1, 21, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
        )
        past = await noop.schedule().delay(1, now=datetime.now(UTC) - timedelta(hours=1))
        await past.wait()
        out = {
            "future_exec_at": future.exec_at.astimezone(UTC).isoformat(),
            "future_status": future.status.value,
            "tokyo_exec_at": tokyo.exec_at.isoformat(),
            "past_status": past.status.value,
        }
        for job in app.get_active_jobs():
            await job.cancel()
    report(out)


asyncio.run(main())
