"""A durable job's row: written when scheduled, gone once the job ends (success, failure, cancel)."""

import asyncio
import sqlite3

from harness import report

from jobify import Jobify

app = Jobify()


def rows_naming(job_id: str) -> int:
    with sqlite3.connect("jobify.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return sum(job_id in row for t in tables for row in db.execute(f'SELECT * FROM "{t}"'))  # noqa: S608


@app.task
async def work(fail: bool) -> None:
    if fail:
        raise ValueError("x")


async def main() -> None:
    async with app:
        ok = await work.schedule(False).delay(0.1, job_id="ok")
        bad = await work.schedule(True).delay(0.1, job_id="bad")
        cancelled = await work.schedule(False).delay(60, job_id="cancelled")
        before = {j.id: rows_naming(j.id) for j in (ok, bad, cancelled)}
        await cancelled.cancel()
        await app.wait_all(timeout=2)
        await asyncio.sleep(0.2)  # deletes may be written behind
        after = {j.id: rows_naming(j.id) for j in (ok, bad, cancelled)}
    report({"scheduled": before, "ended": after})


asyncio.run(main())
