"""`.schedule().cron(expr, job_id=...)` twice with one id: DuplicateJobError, whatever changed."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def tick(x: int = 0) -> None:
    pass


async def main() -> None:
    async with app:
        first = await tick.schedule(1).cron("0 0 1 1 *", job_id="c")
        out = {
            "same": await acatch(tick.schedule(1).cron("0 0 1 1 *", job_id="c")),
            "other_args": await acatch(tick.schedule(2).cron("0 0 1 1 *", job_id="c")),
            "other_expression": await acatch(tick.schedule(1).cron("0 0 1 2 *", job_id="c")),
            "delay_same_id": await acatch(tick.schedule(1).delay(60, job_id="c")),
            "kept": [first.cron_expression, first.status.value, app.find_job("c") is first],
            "active": len(app.get_active_jobs()),
        }
    report(out)


asyncio.run(main())
