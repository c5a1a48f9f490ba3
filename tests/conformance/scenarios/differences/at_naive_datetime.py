"""`.at()` with a naive datetime: refused (ours) or read as the machine's local time (0.14)."""

import asyncio
from datetime import datetime, timedelta

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def job() -> str:
    return "ran"


async def main() -> None:
    async with app:
        naive = datetime.now() + timedelta(seconds=0.1)  # noqa: DTZ005 - the point
        scheduled = await acatch(job.schedule().at(naive))
        await app.wait_all(timeout=2)
        aware = await acatch(
            job.schedule().at(datetime.now().astimezone() + timedelta(seconds=0.05))
        )
        await app.wait_all(timeout=2)
    report(
        {
            "naive_at": scheduled if "raised" in scheduled else "scheduled",
            "aware_at": "raised" in aware,
        }
    )


asyncio.run(main())
