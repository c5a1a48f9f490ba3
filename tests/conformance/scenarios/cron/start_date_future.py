"""`Cron(start_date=<future>)`: no run before start_date; the first exec_at and the runs after it."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

from harness import report

from jobify import Cron, Jobify

app = Jobify(storage=False)
runs: list[float] = []


@app.task
async def tick() -> None:
    runs.append(time.time())


async def main() -> None:
    async with app:
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
        job = await tick.schedule().cron(
            Cron("* * * * * * *", start_date=start, max_runs=2), job_id="s"
        )
        first_exec_at = job.exec_at
        await asyncio.sleep(start.timestamp() - time.time() + 1.4)
        report(
            {
                "first_exec_at_vs_start": (first_exec_at - start).total_seconds(),
                "runs": len(runs),
                "none_before_start": all(r >= start.timestamp() for r in runs),
                "status": job.status.value,
            }
        )


asyncio.run(main())
