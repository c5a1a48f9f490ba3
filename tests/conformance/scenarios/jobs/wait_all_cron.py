"""`app.wait_all()` counts a scheduled cron job: with one pending it runs into its timeout."""

import asyncio
import time

from harness import acatch, report, within

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        await noop.schedule().cron("0 0 1 1 *", job_id="yearly")
        one_off = await noop.schedule().delay(0.05)
        t0 = time.monotonic()
        result = await acatch(app.wait_all(timeout=0.5))
        elapsed = time.monotonic() - t0
    report(
        {
            "result": result,
            "returned_before_timeout": within(elapsed, 0.3),
            "one_off": one_off.status.value,
        }
    )


asyncio.run(main())
