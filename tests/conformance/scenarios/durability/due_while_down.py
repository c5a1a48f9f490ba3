"""A durable job whose time passed while no process ran: the next process runs it at startup."""

import asyncio
import time

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify()
ran: list[float] = []


@app.task
async def late(n: int) -> int:
    ran.append(time.time())
    return n + 1


async def first() -> None:
    async with app:
        await late.schedule(41).delay(0.3, job_id="late")
    report({"ran_in_first": len(ran)})


async def second() -> None:
    started = time.time()
    async with app:
        job = app.find_job("late")
        found = job is not None
        await app.wait_all(timeout=2)
        report(
            {
                "found_at_startup": found,
                "runs": len(ran),
                "ran_within_0_5_s": bool(ran) and ran[0] - started < 0.5,
                "result": job.result() if job is not None and job.is_done() else None,
                "after": app.find_job("late") is not None,
            }
        )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    stored = run_phase("first")
    time.sleep(0.5)
    report({"first": stored, "second": run_phase("second")})
