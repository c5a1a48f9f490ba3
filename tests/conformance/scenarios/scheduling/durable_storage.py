"""Which jobs are written to ./jobify.db: durable on/off per task, storage on/off per app."""

import asyncio
import os
import sqlite3

from harness import report

from jobify import Jobify


def rows_naming(job_id: str) -> int:
    """Rows of any table in ./jobify.db with a column equal to ``job_id`` (schema unknown)."""
    if not os.path.exists("jobify.db"):
        return -1
    with sqlite3.connect("jobify.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return sum(job_id in row for t in tables for row in db.execute(f'SELECT * FROM "{t}"'))  # noqa: S608


async def observe(storage: bool) -> dict:
    app = Jobify() if storage else Jobify(storage=False)

    @app.task(name="default")
    async def default() -> None:
        pass

    @app.task(name="durable", durable=True)
    async def durable() -> None:
        pass

    @app.task(name="volatile", durable=False)
    async def volatile() -> None:
        pass

    async with app:
        for route in (default, durable, volatile):
            await route.schedule().delay(3600, job_id=f"{route.name}-{storage}")
        stored = {r.name: rows_naming(f"{r.name}-{storage}") for r in (default, durable, volatile)}
    after_shutdown = {
        r.name: rows_naming(f"{r.name}-{storage}") for r in (default, durable, volatile)
    }
    return {"while_running": stored, "after_shutdown": after_shutdown}


async def main() -> None:
    without = await observe(storage=False)
    db_without = os.path.exists("jobify.db")
    with_storage = await observe(storage=True)
    report(
        {"storage_off": without, "db_file_with_storage_off": db_without, "storage_on": with_storage}
    )


asyncio.run(main())
