"""A ScheduleBuilder made while the app ran, used after shutdown: refused (ours) or a job that never runs (0.14)."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)
runs: list[int] = []


@app.task
async def noop() -> None:
    runs.append(1)


async def main() -> None:
    async with app:
        builder = noop.schedule()
    got = await acatch(builder.delay(0))
    await asyncio.sleep(0.1)
    report(
        {
            "delay_after_shutdown": got if "raised" in got else "scheduled",
            "active_after": len(app.get_active_jobs()),
            "runs": len(runs),
        }
    )


asyncio.run(main())
