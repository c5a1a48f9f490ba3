"""A mutable argument changed after scheduling: does the job see the change (storage off and on)?"""

import asyncio

from harness import report

from jobify import Jobify


async def observe(storage: bool, durable: bool) -> list:
    app = Jobify() if storage else Jobify(storage=False)
    seen: list = []

    @app.task(durable=durable)
    async def record(items: list) -> None:
        seen.append(list(items))

    async with app:
        items = [1]
        await record.schedule(items).delay(0.05)
        items.append(2)
        await app.wait_all(timeout=2)
    return seen


async def main() -> None:
    report(
        {
            "storage_off": await observe(False, True),
            "storage_on_durable": await observe(True, True),
            "storage_on_not_durable": await observe(True, False),
        }
    )


asyncio.run(main())
