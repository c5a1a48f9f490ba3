"""Statuses a job goes through: scheduled, running (seen from the task), success or failed."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
seen: dict[str, str] = {}


@app.task
async def work(key: str, fail: bool) -> str:
    job = app.find_job(current[key])
    seen[key] = job.status.value if job else "not found"
    await asyncio.sleep(0.02)
    if fail:
        raise ValueError("no")
    return "done"


current: dict[str, str] = {}


async def main() -> None:
    async with app:
        ok = await work.schedule("ok", fail=False).delay(0.05)
        current["ok"] = ok.id
        bad = await work.schedule("bad", fail=True).delay(0.05)
        current["bad"] = bad.id
        before = [ok.status.value, bad.status.value]
        await app.wait_all(timeout=2)
        after = [ok.status.value, bad.status.value]
    report({"before": before, "while_running": seen, "after": after})


asyncio.run(main())
