"""Scheduling a job_id whose job is running now: without replace, with replace, with replace+force."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)
events: list[str] = []


@app.task
async def work(tag: str) -> str:
    events.append(f"start {tag}")
    await asyncio.sleep(0.2)
    events.append(f"end {tag}")
    return tag


async def main() -> None:
    async with app:
        first = await work.schedule("first").delay(0, job_id="j")
        await asyncio.sleep(0.05)
        running = first.status.value
        plain = await acatch(work.schedule("plain").delay(0.05, job_id="j"))
        replaced = await acatch(work.schedule("replaced").delay(0.05, job_id="j", replace=True))
        status_after = first.status.value
        await app.wait_all(timeout=3)
    report(
        {
            "running": running,
            "plain": plain if "raised" in plain else "scheduled",
            "replace": replaced if "raised" in replaced else "scheduled",
            "first_status_after_replace": status_after,
            "first_final": first.status.value,
            "events": events,
        }
    )


asyncio.run(main())
