"""`job.is_done()` for each status a job reaches: scheduled, running, success, failed, cancelled."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
during: list[bool] = []
ids: dict[str, str] = {}


@app.task
async def work(fail: bool) -> None:
    job = app.find_job(ids["running"])
    during.append(job.is_done() if job else None)
    await asyncio.sleep(0.02)
    if fail:
        raise RuntimeError("x")


async def main() -> None:
    async with app:
        running = await work.schedule(False).delay(0.05)
        ids["running"] = running.id
        scheduled = running.is_done()
        failed = await work.schedule(True).delay(0.05)
        cancelled = await work.schedule(False).delay(1)
        await cancelled.cancel()
        await app.wait_all(timeout=2)
    report(
        {
            "scheduled": scheduled,
            "running": during[0] if during else "never ran",
            "success": running.is_done(),
            "failed": failed.is_done(),
            "cancelled": cancelled.is_done(),
            "statuses": [j.status.value for j in (running, failed, cancelled)],
        }
    )


asyncio.run(main())
