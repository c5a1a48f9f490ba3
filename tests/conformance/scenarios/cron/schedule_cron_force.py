"""`.cron(..., force=True)` on an existing job id, alone and with replace=True."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def tick() -> None:
    pass


async def main() -> None:
    async with app:
        first = await tick.schedule().cron("0 0 1 1 *", job_id="c")
        forced = await acatch(tick.schedule().cron("0 0 1 2 *", job_id="c", force=True))
        after_force = app.find_job("c")
        both = await tick.schedule().cron("0 0 1 2 *", job_id="c", replace=True, force=True)
        out = {
            "force_alone": forced if "raised" in forced else "ok",
            "after_force": after_force.cron_expression if after_force else None,
            "replace_force_same_expression_is_first": both is first,
            "replace_force_expression": both.cron_expression,
            "active": len(app.get_active_jobs()),
        }
    report(out)


asyncio.run(main())
