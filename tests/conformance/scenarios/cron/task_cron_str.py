"""`@app.task(cron="<7 fields>")` runs every second from startup; its job is a scheduled cron job."""

import asyncio
import time

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
runs: list[float] = []


@app.task(cron="* * * * * * *")
async def tick() -> None:
    runs.append(time.monotonic())


async def align() -> None:
    """Wait until just after a whole second: every-second runs then fall 0.9 s, 1.9 s, ... later."""
    await asyncio.sleep(1.1 - time.time() % 1)


async def main() -> None:
    await align()
    async with app:
        t0 = time.monotonic()
        jobs = app.get_active_jobs()
        job = jobs[0]
        first = {
            "count": len(jobs),
            "id_suffix": job.id.rsplit(":", 1)[-1].split("__", 1)[-1],
            "is_cron": job.is_cron(),
            "cron_expression": job.cron_expression,
            "status": job.status.value,
            "exec_at_whole_second": job.exec_at.microsecond == 0,
        }
        await asyncio.sleep(2.3)
        gaps = [round(b - a) for a, b in zip(runs, runs[1:], strict=False)]
        report(
            {
                "job": first,
                "runs_in_2_3_s": len(runs),
                "first_run_within_1_1_s": bool(runs) and runs[0] - t0 <= 1.1,
                "gaps_s": gaps,
                "still_active": [j is job for j in app.get_active_jobs()],
                "status_between_runs": job.status.value,
            }
        )


asyncio.run(main())
