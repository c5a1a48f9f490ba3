"""Scheduling after the app has shut down: push and schedule() raise ApplicationStateError."""

import asyncio

from harness import acatch, catch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        pass
    out = {
        "push": await acatch(noop.push()),
        "schedule": catch(lambda: noop.schedule() and "builder"),
        "active": len(app.get_active_jobs()),
    }
    report(out)


asyncio.run(main())
