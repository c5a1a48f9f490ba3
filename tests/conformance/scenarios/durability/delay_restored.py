"""A durable delayed job stored by one process runs in the next, with its arguments, at its time."""

import asyncio
import os
import time
from typing import Any

from harness import acatch, phase, report, run_phase

from jobify import Jobify

app = Jobify()
calls: list[Any] = []


@app.task
async def greet(name: str, times: int = 1) -> str:
    calls.append([name, times])
    return name * times


async def first() -> None:
    async with app:
        job = await greet.schedule("ab", times=2).delay(1.5, job_id="d")
        report({"status": job.status.value, "calls": calls, "at": job.exec_at.timestamp()})


async def second(at: float) -> None:
    async with app:
        job = app.find_job("d")
        if job is None:
            report({"found": False, "calls": calls})
            return
        early = list(calls)
        result = await acatch(asyncio.wait_for(job.wait(), 3))
        report(
            {
                "found": True,
                "exec_at_kept": abs(job.exec_at.timestamp() - at) < 0.001,
                "calls_before_time": early,
                "calls": calls,
                "ran_not_before_exec_at": time.time() >= at,
                "wait": result,
                "result": job.result() if job.is_done() else None,
                "status": job.status.value,
            }
        )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second(float(os.environ["AT"])))
else:
    stored = run_phase("first")
    os.environ["AT"] = str(stored.pop("at", 0))
    report({"first": stored, "second": run_phase("second")})
