"""`app.get_active_jobs()`: a list of the scheduled and running jobs; ended ones leave it."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def work(n: int) -> int:
    await asyncio.sleep(0.1)
    return n


async def main() -> None:
    empty_before_start = app.get_active_jobs()
    async with app:
        running = await work.push(1)
        later = await work.schedule(2).delay(0.3)
        cron = await work.schedule(3).cron("0 0 1 1 *", job_id="yearly")
        await asyncio.sleep(0.05)
        active = app.get_active_jobs()
        kind = type(active).__name__
        contains = sorted(
            name
            for name, job in (("running", running), ("later", later), ("cron", cron))
            if job in active
        )
        copy = active is not app.get_active_jobs()
        await running.wait()
        after_one = len(app.get_active_jobs())
        await later.wait()
        after_two = len(app.get_active_jobs())
    report(
        {
            "before_start": empty_before_start,
            "type": kind,
            "count": len(active),
            "contains": contains,
            "new_list_each_call": copy,
            "after_first_ends": after_one,
            "after_second_ends": after_two,
            "after_shutdown": len(app.get_active_jobs()),
        }
    )


asyncio.run(main())
