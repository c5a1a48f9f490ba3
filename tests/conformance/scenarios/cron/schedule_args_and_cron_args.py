"""Arguments given to schedule(...) and to Cron(args=, kwargs=): which reach the task."""

import asyncio
from typing import Any

from harness import report

from jobify import Cron, Jobify

app = Jobify(storage=False)
calls: list[Any] = []


@app.task
async def show(*args: Any, **kwargs: Any) -> None:
    calls.append([list(args), kwargs])


async def main() -> None:
    async with app:
        await show.schedule(1, a=1).cron(Cron("* * * * * * *", max_runs=1), job_id="schedule")
        await show.schedule().cron(
            Cron("* * * * * * *", max_runs=1, args=(2,), kwargs={"b": 2}), job_id="cron"
        )
        await show.schedule(3, c=3).cron(
            Cron("* * * * * * *", max_runs=1, args=(4,), kwargs={"d": 4}), job_id="both"
        )
        await asyncio.sleep(1.3)
    report({"calls": sorted(calls, key=repr)})


asyncio.run(main())
