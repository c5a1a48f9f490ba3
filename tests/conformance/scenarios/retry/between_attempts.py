"""Between retry attempts: delays follow compute_delay(1), (2)...; the job stays RUNNING; cancel stops it."""

import asyncio
import time

from harness import report

from jobify import Jobify, SmartRetry

app = Jobify(storage=False)
stamps: list[float] = []
cancelled_calls: list[int] = []


@app.task(retry=SmartRetry(2, initial_delay=0.2, jitter=False))
async def flaky() -> None:
    stamps.append(time.monotonic())
    raise ValueError


@app.task(retry=SmartRetry(3, initial_delay=0.3, jitter=False))
async def to_cancel() -> None:
    cancelled_calls.append(1)
    raise ValueError


async def main() -> None:
    out = {}
    async with app:
        job = await flaky.push()
        await asyncio.sleep(0.1)
        out["between"] = [str(job.status), job.is_done()]
        await job.wait()
        gaps = [b - a for a, b in zip(stamps, stamps[1:])]
        out["runs"] = len(stamps)
        out["first_gap_about_0_2"] = 0.15 <= gaps[0] <= 0.38
        out["second_gap_about_0_4"] = 0.36 <= gaps[1] <= 0.75
        out["status"] = str(job.status)

        other = await to_cancel.push()
        await asyncio.sleep(0.1)
        await other.cancel()
        out["cancelled"] = [str(other.status), other.is_done()]
        await asyncio.sleep(0.5)
        out["after_cancel"] = [str(other.status), len(cancelled_calls)]
    report(out)


asyncio.run(main())
