"""A stored job whose task is gone at startup: deleted (0.14) or kept in ./jobify.db, set aside (ours)."""

import asyncio
import sqlite3

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify()  # SQLite in ./jobify.db
current = phase()

if current == "main":

    @app.task(name="gone")
    async def gone() -> str:
        return "ran"


@app.task(name="other")
async def other() -> None:
    pass


def rows_naming(job_id: str) -> int:
    """Rows of any table in ./jobify.db with a column equal to ``job_id`` (schema unknown)."""
    with sqlite3.connect("jobify.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return sum(
            job_id in row
            for t in tables
            for row in db.execute(f'SELECT * FROM "{t}"')  # noqa: S608
        )


async def main() -> None:
    async with app:
        if current == "main":
            await gone.schedule().delay(3600, job_id="j1")
        else:
            found = app.find_job("j1") is not None
    if current == "main":
        stored = rows_naming("j1")
        report({"stored_before": stored, **run_phase("without_task")})
    else:
        report(
            {"found_without_task": found, "rows_kept_after_startup_without_task": rows_naming("j1")}
        )


asyncio.run(main())
