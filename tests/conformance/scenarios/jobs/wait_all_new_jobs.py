"""`app.wait_all()` also waits for jobs that running jobs schedule while it waits."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
ran: list[str] = []


@app.task
async def child() -> None:
    await asyncio.sleep(0.1)
    ran.append("child")


@app.task
async def parent() -> None:
    await asyncio.sleep(0.05)
    await child.schedule().delay(0.05)
    ran.append("parent")


async def main() -> None:
    async with app:
        await parent.push()
        await app.wait_all(timeout=2)
        at_return = list(ran)
        active = len(app.get_active_jobs())
    report({"ran_when_wait_all_returned": at_return, "active": active})


asyncio.run(main())
