"""`app.find_job(id)`: the same Job object while it is active, None for unknown or ended jobs."""

import asyncio

from harness import catch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def work() -> int:
    await asyncio.sleep(0.05)
    return 1


async def main() -> None:
    async with app:
        scheduled = await work.schedule().delay(0.05, job_id="known")
        same_object = app.find_job("known") is scheduled
        by_generated = await work.push()
        found_generated = app.find_job(by_generated.id) is by_generated
        unknown = app.find_job("nope")
        await app.wait_all(timeout=2)
        after = app.find_job("known")
        bad_arg = catch(app.find_job, 123)
    report(
        {
            "same_object": same_object,
            "generated_found": found_generated,
            "unknown": unknown,
            "after_end": after,
            "int_id": bad_arg,
        }
    )


asyncio.run(main())
