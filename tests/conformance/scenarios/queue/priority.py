"""metadata={"priority": n}: with one worker, waiting jobs start highest priority first (default 0)."""

import asyncio

from harness import report

from jobify import Jobify
from jobify.middleware import QueueMiddleware

app = Jobify(storage=False, middleware=[QueueMiddleware(workers=1)])
order: list[str] = []


async def body(tag: str) -> str:
    order.append(tag)
    await asyncio.sleep(0.03)
    return tag


@app.task(metadata={"priority": 10})
async def ten(tag: str) -> str:
    return await body(tag)


@app.task(metadata={"priority": 5})
async def five(tag: str) -> str:
    return await body(tag)


@app.task
async def default(tag: str) -> str:
    return await body(tag)


@app.task(metadata={"priority": -3})
async def minus_three(tag: str) -> str:
    return await body(tag)


async def main() -> None:
    async with app:
        await default.push("blocker")
        await asyncio.sleep(0.01)
        for route, tag in ((minus_three, "-3"), (default, "0"), (five, "5"), (ten, "10")):
            await route.push(tag)
        await app.wait_all()
    report({"order": order})


asyncio.run(main())
