"""A running task schedules other jobs (push, delay) of itself and of other tasks."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
order: list[str] = []


@app.task
async def leaf(name: str) -> str:
    order.append(name)
    return name


@app.task
async def parent(depth: int) -> int:
    order.append(f"parent{depth}")
    if depth < 2:
        await parent.push(depth + 1)
    job = await leaf.schedule(f"leaf{depth}").delay(0.02)
    return len(job.id)


async def main() -> None:
    async with app:
        first = await parent.push(0)
        await app.wait_all(timeout=2)
    report({"order_sorted": sorted(order), "first_result": first.result(), "count": len(order)})


asyncio.run(main())
