"""`.delay(seconds, now=<naive datetime>)`: refused (ours) or read as the machine's local time (0.14)."""

import asyncio
from datetime import datetime

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def job() -> str:
    return "ran"


async def main() -> None:
    async with app:
        naive = await acatch(job.schedule().delay(0.05, now=datetime.now()))  # noqa: DTZ005 - the point
        await app.wait_all(timeout=2)
        aware = await acatch(job.schedule().delay(0.05, now=datetime.now().astimezone()))
        await app.wait_all(timeout=2)
    report(
        {"naive_now": naive if "raised" in naive else "scheduled", "aware_now": "raised" in aware}
    )


asyncio.run(main())
