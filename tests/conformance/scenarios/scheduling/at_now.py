"""`.at()` with the current time, and `.delay(0)`: the job runs at once, after already-due jobs."""

import asyncio
from datetime import UTC, datetime

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
ran: list[str] = []


@app.task
async def record(x: str) -> None:
    ran.append(x)


async def main() -> None:
    async with app:
        await record.push("push")
        await record.schedule("at_now").at(datetime.now(UTC))
        await record.schedule("delay_0").delay(0)
        await app.wait_all(timeout=2)
    report({"ran": ran})


asyncio.run(main())
