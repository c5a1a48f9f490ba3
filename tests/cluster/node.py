"""One node of the test cluster: ``python node.py CONFIG NODE FIRST COUNT SPREAD``.

The app comes from CONFIG (a jobify.toml choosing ``use = "postgres"``). It
declares five every-second cron tasks and a one-off task ``record``; each
execution inserts a row into the results table named by $JOBIFY_RESULTS when it
starts (``record`` then runs 0.3 s more, so a kill finds some mid-run), with
the moment it began (``begun_at``, this host's clock, taken before any wait),
so the test counts executions in the database, whichever node ran them. A cron
execution is keyed by the slot it runs (the run it claimed); with
$JOBIFY_TICK_SECONDS set it runs that long, and every execution records when
it ended, so a test can pause a node mid-run. The results go through a connection of their own
($JOBIFY_TEST_POSTGRES_DSN), never through the storage's (which a test may
cut). After startup the node schedules COUNT delayed jobs (keys FIRST..
FIRST+COUNT-1) due over the next SPREAD seconds, prints ``scheduled``, and runs
until SIGTERM.
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
TICK = float(os.environ.get("JOBIFY_TICK_SECONDS", "0"))
INSERT = (
    f"INSERT INTO {RESULTS} (key, node, due, begun_at, ran_at) "
    "VALUES ($1, $2, $3, $4, clock_timestamp())"
)
ENDED = f"UPDATE {RESULTS} SET ended_at = clock_timestamp() WHERE key = $1 AND node = $2"

app = Jobify.from_config(CONFIG)
pool: asyncpg.Pool | None = None


async def _record(key: str, due: datetime, begun_at: datetime) -> None:
    assert pool is not None
    await pool.execute(INSERT, key, NODE, due, begun_at)


@app.task
async def record(key: str, due: str) -> None:
    begun_at = datetime.now(UTC)  # before any wait: the moment this run began here
    await _record(key, datetime.fromisoformat(due), begun_at)  # recorded when it starts
    await asyncio.sleep(0.3)  # then it runs a while: a kill finds some of them mid-run
    if TICK:
        assert pool is not None
        await pool.execute(ENDED, key, NODE)


def _declare_cron(index: int) -> None:
    async def tick(context: JobContext = INJECT) -> None:
        begun_at = datetime.now(UTC)
        ctx = context.job.cron_context
        assert ctx is not None
        slot = ctx.offset  # the run claimed (a catch-up runs a slot later than its timer)
        key = f"cron{index}@{slot.astimezone(UTC):%H:%M:%S}"
        await _record(key, slot, begun_at)
        if TICK:
            await asyncio.sleep(TICK)  # a pause finds some of them mid-run
            assert pool is not None
            await pool.execute(ENDED, key, NODE)

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
