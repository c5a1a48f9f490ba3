"""Scheduling before the app starts: push, schedule() and the builder's methods raise ApplicationStateError."""

import asyncio

from harness import acatch, catch, report

from jobify import Jobify
from jobify.exceptions import ApplicationStateError, BaseJobifyError

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    out = {
        "push": await acatch(noop.push()),
        "schedule": catch(lambda: noop.schedule() and "builder"),
        "is_jobify_error": issubclass(ApplicationStateError, BaseJobifyError),
        "active": len(app.get_active_jobs()),
    }
    async with app:
        job = await noop.push()
        await job.wait()
        out["after_startup"] = job.status.value
    report(out)


asyncio.run(main())
