"""App shutdown with jobs queued behind one worker: whether queued jobs still run, and their statuses."""

import asyncio
import time

from harness import report, within

from jobify import Jobify
from jobify.middleware import QueueMiddleware

app = Jobify(storage=False, middleware=[QueueMiddleware(workers=1)])
events: list[str] = []


@app.task
async def work(i: int) -> int:
    events.append(f"start {i}")
    try:
        await asyncio.sleep(0.2)
    except asyncio.CancelledError:
        events.append(f"cancelled {i}")
        raise
    events.append(f"end {i}")
    return i


async def main() -> None:
    start = time.monotonic()
    async with app:
        jobs = [await work.push(i) for i in range(3)]
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - start
    report(
        {
            "events": events,
            "statuses": [str(j.status) for j in jobs],
            "within_2s": within(elapsed, 2.0),
        }
    )


asyncio.run(main())
