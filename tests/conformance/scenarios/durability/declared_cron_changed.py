"""A declared cron task whose expression changed between restarts: which expression the job has."""

import asyncio

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify()
EXPRESSION = "0 0 1 1 *" if phase() == "first" else "30 12 * * *"


@app.task(cron=EXPRESSION)
async def report_job() -> None:
    pass


async def run() -> None:
    async with app:
        jobs = app.get_active_jobs()
        report(
            {
                "count": len(jobs),
                "expressions": [j.cron_expression for j in jobs],
                "next": [j.exec_at.strftime("%H:%M") for j in jobs],
            }
        )


if phase() in ("first", "second"):
    asyncio.run(run())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
