"""What a restored job looks like before it runs: id, status, exec_at, is_cron, result()."""

import asyncio
from datetime import UTC, datetime, timedelta

from harness import catch, phase, report, run_phase

from jobify import Jobify

app = Jobify()


@app.task
async def later(n: int) -> int:
    return n


async def first() -> None:
    async with app:
        job = await later.schedule(1).at(datetime(2099, 1, 1, 12, tzinfo=UTC), job_id="far")
        auto = await later.schedule(2).delay(3600)
        report({"status": job.status.value, "auto_id_len": len(auto.id)})


async def second() -> None:
    async with app:
        job = app.find_job("far")
        jobs = app.get_active_jobs()
        if job is None:
            report({"found": False, "active": len(jobs)})
            return
        report(
            {
                "found": True,
                "active": len(jobs),
                "auto_id_lens": sorted(len(j.id) for j in jobs),
                "status": job.status.value,
                "exec_at": job.exec_at.isoformat(),
                "exec_at_in_app_tz": job.exec_at.utcoffset() == timedelta(0),
                "is_cron": job.is_cron(),
                "is_done": job.is_done(),
                "result": catch(job.result),
                "exception": job.exception,
            }
        )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
