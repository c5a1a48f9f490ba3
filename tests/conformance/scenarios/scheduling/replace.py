"""`replace=True` on a job_id in use: the same Job object, moved to the new time with the new arguments."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

from harness import report, within

from jobify import Jobify

app = Jobify(storage=False)
runs: list[tuple[str, float]] = []
t0 = time.monotonic()


@app.task
async def record(x: str) -> None:
    runs.append((x, time.monotonic() - t0))


async def main() -> None:
    global t0
    async with app:
        t0 = time.monotonic()
        first = await record.schedule("old").delay(0.1, job_id="j")
        later = await record.schedule("new").delay(0.3, job_id="j", replace=True)
        same_object = later is first
        at = datetime.now(UTC) + timedelta(seconds=0.05)
        by_at = await record.schedule("newest").at(at, job_id="j", replace=True)
        found = app.find_job("j") is by_at
        fresh = await record.schedule("fresh").delay(0.05, job_id="free", replace=True)
        await app.wait_all(timeout=2)
    report(
        {
            "same_object": same_object,
            "at_same_object": by_at is first,
            "found_is_replacement": found,
            "runs": sorted(x for x, _ in runs),
            "newest_on_time": within(dict(runs).get("newest", 9), 0.25),
            "status": first.status.value,
            "replace_without_existing": fresh.status.value,
            "fresh_id": fresh.id,
        }
    )


asyncio.run(main())
