"""Job, ScheduleBuilder and CronContext are generic: `Job[int]` etc. work in annotations."""

import asyncio

from harness import catch, report

from jobify import CronContext, Job, Jobify, ScheduleBuilder

app = Jobify(storage=False)


@app.task
async def answer() -> int:
    return 42


async def main() -> None:
    async with app:
        builder = answer.schedule()
        job = await builder.delay(0)
        await job.wait()
    report(
        {
            "job_subscript": catch(lambda: Job[int] is not None),
            "builder_subscript": catch(lambda: ScheduleBuilder[int] is not None),
            "cron_context_subscript": catch(lambda: CronContext[int] is not None),
            "is_job": isinstance(job, Job),
            "is_builder": isinstance(builder, ScheduleBuilder),
            "result": job.result(),
        }
    )


asyncio.run(main())
