"""`.cron(..., replace=True)`: a new expression replaces the job; the same one keeps it."""

import asyncio

from harness import report

from jobify import Cron, Job, Jobify

app = Jobify(storage=False)


@app.task
async def tick(x: int = 0) -> None:
    pass


def seen(job: Job[None]) -> list[str]:
    return [job.id, str(job.cron_expression), job.exec_at.strftime("%m-%d %H:%M")]


async def main() -> None:
    async with app:
        first = await tick.schedule(1).cron("0 0 1 1 *", job_id="c")
        same = await tick.schedule(1).cron("0 0 1 1 *", job_id="c", replace=True)
        same_seen = seen(same)
        changed = await tick.schedule(1).cron("0 12 1 2 *", job_id="c", replace=True)
        changed_seen = seen(changed)
        by_cron = await tick.schedule(2).cron(Cron("0 6 1 3 *"), job_id="c", replace=True)
        report(
            {
                "same_is_first": same is first,
                "same": same_seen,
                "changed_is_first": changed is first,
                "changed": changed_seen,
                "first_status_after_change": first.status.value,
                "by_cron": seen(by_cron),
                "found_is_last": app.find_job("c") is by_cron,
                "active": len(app.get_active_jobs()),
            }
        )


asyncio.run(main())
