"""`schedule().cron(...)`: job_id is required; a string or Cron; the job is a scheduled cron job."""

import asyncio

from harness import catch, report

from jobify import Cron, Jobify

app = Jobify(storage=False)


@app.task
async def tick() -> None:
    pass


async def main() -> None:
    async with app:
        no_id = catch(lambda: tick.schedule().cron("0 0 * * *"))
        by_str = await tick.schedule().cron("0 0 * * *", job_id="s")
        by_obj = await tick.schedule().cron(Cron("0 12 * * *"), job_id="o")
        replaced = await tick.schedule().cron("30 6 * * *", job_id="s", replace=True)
        out = {
            "without_job_id": no_id,
            "str": [by_str.id, by_str.is_cron(), by_str.status.value],
            "obj": [by_obj.id, by_obj.cron_expression],
            "replaced_same_object": replaced is by_str,
            "replaced_expression": replaced.cron_expression,
            "active": sorted(j.id for j in app.get_active_jobs()),
        }
    report(out)


asyncio.run(main())
