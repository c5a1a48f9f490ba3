"""Hundreds of jobs pushed at once all run, each once, and wait_all sees them all end."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
seen: list[int] = []


@app.task
async def record(n: int) -> int:
    await asyncio.sleep(0.01)
    seen.append(n)
    return n * 2


async def main() -> None:
    async with app:
        jobs = [await record.push(n) for n in range(300)]
        await app.wait_all(timeout=10)
    report(
        {
            "ran": len(seen),
            "each_once": sorted(seen) == list(range(300)),
            "statuses": sorted({j.status.value for j in jobs}),
            "results_ok": [j.result() for j in jobs] == [n * 2 for n in range(300)],
            "active": len(app.get_active_jobs()),
        }
    )


asyncio.run(main())
