"""Jobs far in the future: `.at()` in year 9999 and `.delay()` of ten years are scheduled, not run."""

import asyncio
from datetime import UTC, datetime

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        at = await acatch(noop.schedule().at(datetime(9999, 1, 1, tzinfo=UTC)))
        delay = await acatch(noop.schedule().delay(10 * 365 * 86400))
        await asyncio.sleep(0.1)
        statuses = sorted(j.status.value for j in app.get_active_jobs())
    report(
        {
            "at": at if "raised" in at else "scheduled",
            "delay": delay if "raised" in delay else "scheduled",
            "statuses": statuses,
        }
    )


asyncio.run(main())
