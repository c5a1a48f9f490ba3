"""`.cron(expr, job_id=None)`: refused, or given a generated id."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def tick() -> None:
    pass


async def main() -> None:
    async with app:
        got = await acatch(tick.schedule().cron("0 0 1 1 *", job_id=None))  # type: ignore[arg-type]
        jobs = app.get_active_jobs()
        report(
            {
                "result": "job" if "ok" in got else got,
                "active_id_shapes": [(len(j.id), j.id.isalnum()) for j in jobs],
            }
        )


asyncio.run(main())
