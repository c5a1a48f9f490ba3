"""A job_id is free again once its job has ended (success, failure or cancel)."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def work(fail: bool) -> str:
    if fail:
        raise ValueError("x")
    return "ok"


async def main() -> None:
    async with app:
        out = {}
        for name, fail in (("after_success", False), ("after_failure", True)):
            job = await work.schedule(fail).delay(0, job_id=name)
            await job.wait()
            again = await acatch(work.schedule(False).delay(0, job_id=name))
            out[name] = "scheduled" if "ok" in again else again
        cancelled = await work.schedule(False).delay(5, job_id="after_cancel")
        await cancelled.cancel()
        again = await acatch(work.schedule(False).delay(0, job_id="after_cancel"))
        out["after_cancel"] = "scheduled" if "ok" in again else again
        await app.wait_all(timeout=2)
    report(out)


asyncio.run(main())
