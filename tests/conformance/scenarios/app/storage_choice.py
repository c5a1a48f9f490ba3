"""`Jobify()` writes ./jobify.db; `Jobify(storage=False)` writes no file; neither before startup."""

import asyncio
import os

from harness import report

from jobify import Jobify


def files() -> list[str]:
    return sorted(f for f in os.listdir(".") if not f.startswith("."))


async def main() -> None:
    off = Jobify(storage=False)
    async with off:
        pass
    after_off = files()
    on = Jobify()
    before_startup = files()
    async with on:
        running = "jobify.db" in files()
    report(
        {
            "storage_off": after_off,
            "before_startup": before_startup,
            "db_while_running": running,
            "after": "jobify.db" in files(),
        }
    )


asyncio.run(main())
