"""What the app's lifespan sees at exit: a delayed job and a running job, and their statuses after shutdown."""

import asyncio
from contextlib import asynccontextmanager

from harness import report

from jobify import Jobify

events: list[object] = []
jobs: dict[str, object] = {}


@asynccontextmanager
async def lifespan(arg):
    events.append("enter")
    yield
    events.append(["exit", str(jobs["delayed"].status), str(jobs["running"].status)])  # type: ignore[attr-defined]


app = Jobify(storage=False, lifespan=lifespan)


@app.task
async def later() -> None:
    events.append("later ran")


@app.task
async def long_running() -> None:
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        events.append("running cancelled")
        raise


async def main() -> None:
    async with app:
        jobs["delayed"] = await later.schedule().delay(5)
        jobs["running"] = await long_running.push()
        await asyncio.sleep(0.05)
        events.append("leaving body")
    events.append(["after", str(jobs["delayed"].status), str(jobs["running"].status)])  # type: ignore[attr-defined]
    report({"events": events})


asyncio.run(main())
