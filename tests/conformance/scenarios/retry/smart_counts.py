"""SmartRetry(retries=n): n + 1 runs at most; success after failures; sync tasks retry too."""

import asyncio

from harness import exc, report

from jobify import Jobify, SmartRetry

FAST = {"initial_delay": 0.01, "jitter": False}
app = Jobify(storage=False)
calls: dict[str, int] = {"exhaust": 0, "recover": 0, "sync": 0, "one": 0}


@app.task(retry=SmartRetry(3, **FAST))
async def exhaust() -> None:
    calls["exhaust"] += 1
    raise RuntimeError("nope")


@app.task(retry=SmartRetry(3, **FAST))
async def recover() -> int:
    calls["recover"] += 1
    if calls["recover"] < 3:
        raise RuntimeError("not yet")
    return calls["recover"]


@app.task(retry=SmartRetry(2, **FAST))
def sync_task() -> None:
    calls["sync"] += 1
    raise OSError("sync")


@app.task(retry=SmartRetry(1, **FAST))
async def one() -> None:
    calls["one"] += 1
    raise ValueError("one")


async def main() -> None:
    out = {}
    async with app:
        jobs = {
            "exhaust": await exhaust.push(),
            "recover": await recover.push(),
            "sync": await sync_task.push(),
            "one": await one.push(),
        }
        await app.wait_all()
        for key, job in jobs.items():
            out[key] = [
                str(job.status),
                exc(job.exception),
                job.result() if job.exception is None else None,
            ]
    out["calls"] = calls
    report(out)


asyncio.run(main())
