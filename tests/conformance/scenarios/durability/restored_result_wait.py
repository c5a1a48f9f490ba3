"""After a restart, `await job.wait()`, `job.result()` and `await job` on a restored job."""

import asyncio

from harness import acatch, catch, phase, report, run_phase

from jobify import Jobify

app = Jobify()


@app.task
async def square(n: int) -> int:
    return n * n


@app.task
async def fail() -> None:
    raise LookupError("gone")


async def first() -> None:
    async with app:
        await square.schedule(7).delay(0.4, job_id="sq")
        await fail.schedule().delay(0.4, job_id="fail")
    report({"stored": True})


async def second() -> None:
    async with app:
        ok = app.find_job("sq")
        bad = app.find_job("fail")
        if ok is None or bad is None:
            report({"found": [ok is not None, bad is not None]})
            return
        before = catch(ok.result)
        await acatch(asyncio.wait_for(ok.wait(), 2))
        await acatch(asyncio.wait_for(bad.wait(), 2))
        report(
            {
                "before": before,
                "result": catch(ok.result),
                "failed_result": catch(bad.result),
                "failed_exception": None if bad.exception is None else type(bad.exception).__name__,
                "statuses": [ok.status.value, bad.status.value],
            }
        )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
