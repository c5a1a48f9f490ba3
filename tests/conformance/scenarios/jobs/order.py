"""Jobs due at once run in the order they were pushed; delayed jobs run in the order of their times."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
ran: list[str] = []


@app.task
async def record(name: str) -> None:
    ran.append(name)


async def main() -> None:
    async with app:
        for i in range(20):
            await record.push(f"p{i}")
        await app.wait_all(timeout=2)
        pushed = list(ran)
        ran.clear()
        for name, delay in (("c", 0.15), ("a", 0.05), ("d", 0.2), ("b", 0.1)):
            await record.schedule(name).delay(delay)
        await app.wait_all(timeout=2)
    report({"pushed": pushed, "delayed": ran})


asyncio.run(main())
