"""QueueMiddleware(workers=2): at most two executions at once; queued jobs are RUNNING; all results arrive."""

import asyncio
import time

from harness import report, within

from jobify import Jobify
from jobify.middleware import QueueMiddleware

app = Jobify(storage=False, middleware=[QueueMiddleware(workers=2)])
counters = {"running": 0, "peak": 0, "started": 0}


@app.task
async def work(i: int) -> int:
    counters["running"] += 1
    counters["started"] += 1
    counters["peak"] = max(counters["peak"], counters["running"])
    await asyncio.sleep(0.1)
    counters["running"] -= 1
    return i * i


async def main() -> None:
    async with app:
        start = time.monotonic()
        jobs = [await work.push(i) for i in range(6)]
        await asyncio.sleep(0.03)
        statuses_early = sorted({str(j.status) for j in jobs})
        started_early = counters["started"]
        await app.wait_all()
        elapsed = time.monotonic() - start
        out = {
            "statuses_while_queued": statuses_early,
            "started_after_30ms": started_early,
            "peak": counters["peak"],
            "results": [j.result() for j in jobs],
            "at_least_three_rounds": elapsed >= 0.28,
            "within_1s": within(elapsed, 1.0),
        }
    report(out)


asyncio.run(main())
