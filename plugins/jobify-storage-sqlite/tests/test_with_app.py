"""With the kernel: durable jobs survive a restart, and an undecodable one is set aside."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from jobify import Jobify
from jobify_storage_sqlite import SQLiteStorage


class _JSON:
    def dumpb(self, data):
        return json.dumps(data).encode()

    def loadb(self, data):
        return json.loads(data)


def make_app(path):
    app = Jobify(storage=SQLiteStorage(path), serializer=_JSON(), cron_factory=lambda e: None)

    @app.task(name="greet")
    async def greet(who: str) -> str:
        return f"hello {who}"

    return app


async def test_a_durable_job_is_stored_restored_and_removed_when_done(tmp_path):
    path = tmp_path / "jobs.db"
    app = make_app(path)
    async with app:
        job = await app.registry.routes["greet"].schedule("later").delay(3600)
        [stored] = await app.configs.storage.get_schedules()
        assert (stored.job_id, stored.name) == (job.id, "greet")
    again = make_app(path)
    async with again:
        restored = again.find_job(job.id)
        assert restored is not None
        assert abs(restored.exec_at - job.exec_at) < timedelta(milliseconds=1)
        now = await again.registry.routes["greet"].push("now")
        await now.wait()
        assert now.result() == "hello now"
    # the finished job's row is deleted; the pending one stays for the next start
    storage = SQLiteStorage(path)
    await storage.startup()
    try:
        assert [r.job_id for r in await storage.get_schedules()] == [job.id]
    finally:
        await storage.shutdown()


async def test_the_kernel_sets_aside_a_row_it_cannot_decode(tmp_path, caplog):
    path = tmp_path / "jobs.db"
    app = make_app(path)
    async with app:
        job = await app.registry.routes["greet"].schedule("x").delay(3600)
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE jobify_schedules SET message = x'ff00' WHERE job_id = ?", (job.id,))
    again = make_app(path)
    with caplog.at_level(logging.WARNING, logger="jobify"):
        async with again:
            assert again.find_job(job.id) is None
            storage = again.configs.storage
            assert await storage.get_schedules() == []
            [(row, reason)] = await storage.get_quarantined()
            assert row.job_id == job.id and row.message == b"\xff\x00"
            assert reason.startswith("its message cannot be decoded")
            assert row.next_run_at > datetime.now(UTC)
    assert any("set aside" in r.getMessage() for r in caplog.records)


def test_ten_thousand_durable_pushes_cost_a_few_transactions(tmp_path, monkeypatch):
    """Group commit through the app: pushes and the deletes of their ends are batched.

    Runs outside the debug-mode loop of the other tests: 10,000 jobs are a load test.
    """
    import asyncio

    from jobify import Jobify
    from jobify_storage_sqlite import SQLiteStorage

    monkeypatch.setenv("JOBIFY_CONFIG", "")
    storage = SQLiteStorage(tmp_path / "burst.db")
    app = Jobify(storage=storage)

    @app.task
    async def noop(x: int) -> int:
        return x

    async def main():
        async with app:
            jobs = await asyncio.gather(*(noop.push(i) for i in range(10_000)))
            await app.wait_all(timeout=60)
            for _ in range(100):
                if storage.statistics().rows_deleted == 10_000:
                    break
                await asyncio.sleep(0.02)
            return jobs, storage.statistics()

    jobs, stats = asyncio.run(main())
    assert all(j.result() == i for i, j in enumerate(jobs))
    assert stats.rows_written == 10_000
    assert stats.rows_deleted == 10_000
    assert stats.transactions <= 40, stats
