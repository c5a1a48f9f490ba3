"""The status of jobs that shutdown stopped: cancelled (ours) or left scheduled / running (0.14)."""

import asyncio
import time

from harness import report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def long() -> None:
    await asyncio.sleep(5)


@app.task
def blocking() -> None:
    time.sleep(0.3)


async def main() -> None:
    async with app:
        running = await long.push()
        scheduled = await long.schedule().delay(5)
        cron = await long.schedule().cron("0 0 1 1 *", job_id="yearly")
        in_thread = await blocking.push()
        await asyncio.sleep(0.1)
    report(
        {
            "running": running.status.value,
            "scheduled": scheduled.status.value,
            "cron": cron.status.value,
            "thread": in_thread.status.value,
        }
    )


asyncio.run(main())
