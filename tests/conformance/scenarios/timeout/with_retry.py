"""timeout with retry: each attempt that times out is retried; the final status is TIMEOUT."""

import asyncio

from harness import exc, report

from jobify import Jobify, SmartRetry

app = Jobify(storage=False)
attempts: list[int] = []


@app.task(timeout=0.1, retry=SmartRetry(2, initial_delay=0.01, jitter=False))
async def slow() -> None:
    attempts.append(len(attempts) + 1)
    await asyncio.sleep(1)


@app.task(timeout=0.1, retry=SmartRetry(2, initial_delay=0.01, jitter=False))
async def slow_then_fast() -> str:
    attempts.append(100)
    if attempts.count(100) == 1:
        await asyncio.sleep(1)
    return "second attempt"


async def main() -> None:
    async with app:
        j1 = await slow.push()
        await j1.wait()
        slow_attempts = len(attempts)
        j2 = await slow_then_fast.push()
        await j2.wait()
        out = {
            "slow": [str(j1.status), exc(j1.exception), slow_attempts],
            "slow_then_fast": [str(j2.status), j2.result() if j2.exception is None else None],
            "attempts": attempts,
        }
    report(out)


asyncio.run(main())
