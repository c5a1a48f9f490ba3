"""`.at(datetime)`: runs at that time; a time in the past runs at once; other zones are the same instant."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from harness import report, within

from jobify import Jobify

app = Jobify(storage=False)
ran: dict[str, float] = {}
t0 = time.monotonic()


@app.task
async def mark(name: str) -> None:
    ran[name] = time.monotonic() - t0


async def main() -> None:
    async with app:
        now = datetime.now(UTC)
        soon = await mark.schedule("soon").at(now + timedelta(seconds=0.25))
        past = await mark.schedule("past").at(now - timedelta(days=3))
        tokyo = await mark.schedule("tokyo").at(
            (now + timedelta(seconds=0.1)).astimezone(ZoneInfo("Asia/Tokyo"))
        )
        statuses_before = [j.status.value for j in (soon, past, tokyo)]
        await app.wait_all(timeout=2)
    report(
        {
            "before": statuses_before,
            "after": [j.status.value for j in (soon, past, tokyo)],
            "order": sorted(ran, key=ran.get),
            "soon_waited": ran["soon"] >= 0.2 and within(ran["soon"], 1.5),
            "past_at_once": within(ran["past"], 0.2),
            "tokyo_exec_at_offset": str(tokyo.exec_at.utcoffset()),
        }
    )


asyncio.run(main())
