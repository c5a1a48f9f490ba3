"""`Jobify(uuid_generator=...)`: job ids come from it (as 32 hex digits); a given job_id skips it."""

import asyncio
import uuid

from harness import report

from jobify import Jobify

calls: list[int] = []


def generator() -> uuid.UUID:
    calls.append(1)
    return uuid.UUID(int=len(calls))


app = Jobify(storage=False, uuid_generator=generator)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        before = len(calls)
        first = await noop.push()
        second = await noop.schedule().delay(0)
        named = await noop.schedule().delay(0, job_id="mine")
        await app.wait_all(timeout=2)
    report(
        {
            "calls_at_startup": before,
            "ids": [first.id, second.id, named.id],
            "calls": len(calls),
        }
    )


asyncio.run(main())
