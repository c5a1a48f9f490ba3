"""`is_cron()`, `cron_expression` and `is_reschedulable()` of cron jobs and one-off jobs."""

import asyncio

from harness import report

from jobify import Cron, Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        one_off = await noop.schedule().delay(5)
        by_str = await noop.schedule().cron("0 0 * * *", job_id="by-str")
        by_cron = await noop.schedule().cron(Cron("*/5 * * * *", max_runs=3), job_id="by-cron")
        out = {
            name: {
                "is_cron": j.is_cron(),
                "cron_expression": j.cron_expression,
                "is_reschedulable": j.is_reschedulable(),
                "status": j.status.value,
            }
            for name, j in (("one_off", one_off), ("by_str", by_str), ("by_cron", by_cron))
        }
        await by_str.cancel()
        out["cancelled_cron"] = {
            "is_cron": by_str.is_cron(),
            "cron_expression": by_str.cron_expression,
            "is_reschedulable": by_str.is_reschedulable(),
        }
    report(out)


asyncio.run(main())
