"""`job.is_reschedulable()` for a one-off job while scheduled, after success, failure, cancel."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def work(fail: bool) -> None:
    if fail:
        raise RuntimeError("x")


async def main() -> None:
    async with app:
        ok = await work.schedule(False).delay(0.05)
        bad = await work.schedule(True).delay(0.05)
        cancelled = await work.schedule(False).delay(1)
        while_scheduled = ok.is_reschedulable()
        await cancelled.cancel()
        await app.wait_all(timeout=2)
    report(
        {
            "scheduled": while_scheduled,
            "success": ok.is_reschedulable(),
            "failed": bad.is_reschedulable(),
            "cancelled": cancelled.is_reschedulable(),
        }
    )


asyncio.run(main())
