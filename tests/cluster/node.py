"""One node of the test cluster: ``python node.py CONFIG NODE FIRST COUNT SPREAD``.

The app comes from CONFIG (a jobify.toml choosing ``use = "postgres"``). It
declares five every-second cron tasks and a one-off task ``record``; each
execution inserts a row into the results table named by $JOBIFY_RESULTS when it
starts (``record`` then runs 0.3 s more, so a kill finds some mid-run), so
the test counts executions in the database, whichever node ran them. After
startup the node schedules COUNT delayed jobs (keys FIRST.. FIRST+COUNT-1)
due over the next SPREAD seconds, prints ``scheduled``, and runs until SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta

import asyncpg

from jobify import INJECT, Cron, JobContext, Jobify, MisfirePolicy

CONFIG, NODE = sys.argv[1], sys.argv[2]
FIRST, COUNT, SPREAD = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
RESULTS = os.environ["JOBIFY_RESULTS"]
INSERT = f"INSERT INTO {RESULTS} (key, node, due, ran_at) VALUES ($1, $2, $3, clock_timestamp())"

app = Jobify.from_config(CONFIG)
pool: asyncpg.Pool | None = None


async def _record(key: str, due: datetime) -> None:
    assert pool is not None
    await pool.execute(INSERT, key, NODE, due)


@app.task
async def record(key: str, due: str) -> None:
    await _record(key, datetime.fromisoformat(due))  # recorded when it starts
    await asyncio.sleep(0.3)  # then it runs a while: a kill finds some of them mid-run


def _declare_cron(index: int) -> None:
    async def tick(context: JobContext = INJECT) -> None:
        due = context.job.exec_at
        await _record(f"cron{index}@{due.astimezone(UTC):%H:%M:%S}", due)

    cron = Cron("* * * * * * *", misfire_policy=MisfirePolicy.ALL)
    app.task(tick, name=f"cron{index}", cron=cron)


for _index in range(5):
    _declare_cron(_index)


async def main() -> None:
    global pool
    pool = await asyncpg.create_pool(os.environ["JOBIFY_TEST_POSTGRES_DSN"], min_size=1, max_size=4)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        async with app:
            start = datetime.now(UTC)
            for n in range(COUNT):
                due = start + timedelta(seconds=1 + SPREAD * n / max(COUNT, 1))
                key = f"job{FIRST + n}"
                await record.schedule(key, due.isoformat()).at(due, job_id=key)
            print("scheduled", flush=True)
            await stop.wait()
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
