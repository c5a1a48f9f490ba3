"""Operating a scheduler: producers, control, kept outcomes, history, grace, alerts, headers.

Every app here runs on a :class:`MemoryStorage`; apps sharing one
:class:`MemoryDatabase` behave like processes sharing one database.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jobify import INJECT, Cron, JobContext, Jobify, JobStatus
from jobify._kernel.arguments import HistoryRetention
from jobify._kernel.runner import Alerts
from jobify.hookspecs import hookimpl
from jobify.testing.clock import FakeClock
from jobify.testing.jobs import until_done
from jobify.testing.memory import MemoryDatabase, MemoryStorage


class Json:
    def dumpb(self, data: Any) -> bytes:
        return json.dumps(data).encode()

    def loadb(self, data: bytes) -> Any:
        return json.loads(data)


def make(
    db: MemoryDatabase, role: str = "scheduler", **extra: Any
) -> tuple[Jobify, Any, list[int]]:
    app = Jobify.from_config(
        None, autoload=False, storage=MemoryStorage(database=db), serializer=Json(), role=role,
        cron_factory=lambda e: Every(float(e)), **extra,
    )  # fmt: skip
    ran: list[int] = []

    @app.task(name="add")
    async def add(a: int, b: int) -> int:
        ran.append(a + b)
        if a < 0:
            raise ValueError(f"negative {a}")
        return a + b

    return app, add, ran


class Every:
    """A cron parser whose expression is a number of seconds."""

    def __init__(self, step: float) -> None:
        self.step = timedelta(seconds=step)

    def next_run(self, *, now: datetime) -> datetime:
        return now + self.step


async def eventually(check: Any, timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


# --- producers -----------------------------------------------------------------------------


async def test_a_producer_only_stores_and_the_scheduler_runs_each_job_once() -> None:
    db = MemoryDatabase()
    scheduler, _, ran = make(db)
    producer, add, ran_in_producer = make(db, role="producer")
    async with scheduler, producer:
        jobs = [await add.push(i, 1) for i in range(20)]
        assert producer.get_active_jobs() == []  # nothing runs in a producer
        results = await asyncio.wait_for(asyncio.gather(*jobs), 5)
    assert results == [i + 1 for i in range(20)]
    assert sorted(ran) == [i + 1 for i in range(20)]
    assert ran_in_producer == []


async def test_a_producer_reads_a_failure_as_the_jobs_error() -> None:
    db = MemoryDatabase()
    scheduler, _, _ = make(db)
    producer, add, _ = make(db, role="producer")
    async with scheduler, producer:
        job = await add.push(-5, 1)
        await asyncio.wait_for(job.wait(), 5)
        assert job.status is JobStatus.FAILED
        assert "ValueError: negative -5" in str(job.exception)
        outcome = await producer.job_outcome(job.id)
    assert outcome is not None
    assert outcome.status is JobStatus.FAILED
    assert outcome.result is None


async def test_jobs_a_producer_stored_before_the_scheduler_started_run_at_its_start() -> None:
    db = MemoryDatabase()
    producer, add, _ = make(db, role="producer")
    async with producer:
        await add.schedule(2, 2).delay(0, job_id="early")
    scheduler, _, ran = make(db)
    async with scheduler:
        await eventually(lambda: ran == [4])


async def test_results_are_kept_for_results_ttl_and_not_when_it_is_zero() -> None:
    db = MemoryDatabase()
    app, add, _ = make(db)
    async with app:
        job = await add.push(3, 4)
        await job.wait()
        await asyncio.sleep(0.01)
        outcome = await app.job_outcome(job.id)
        assert app.find_job(job.id) is None  # 0.14's find_job forgets ended jobs
    assert outcome is not None and outcome.result == 7
    assert outcome.status is JobStatus.SUCCESS
    db2 = MemoryDatabase()
    off, add2, _ = make(db2, results_ttl=0)
    async with off:
        job = await add2.push(3, 4)
        await job.wait()
        await asyncio.sleep(0.01)
        assert await off.job_outcome(job.id) is None
    assert db2.rows == {}


# --- control -------------------------------------------------------------------------------


async def test_pause_from_another_process_stops_a_cron_job_and_resume_applies_its_misfire() -> None:
    db = MemoryDatabase()
    scheduler, add, ran = make(db)
    producer, _, _ = make(db, role="producer")
    async with scheduler, producer:
        await add.schedule(1, 1).cron(Cron("0.05"), job_id="tick")
        await eventually(lambda: len(ran) >= 2)
        assert await producer.pause_job("tick")
        await eventually(lambda: scheduler.find_job("tick").paused)
        count = len(ran)
        await asyncio.sleep(0.25)
        assert len(ran) <= count + 1  # at most the run already going
        assert db.paused == {"tick"}
        assert await producer.resume_job("tick")
        await eventually(lambda: len(ran) >= count + 3)
        assert not scheduler.find_job("tick").paused


async def test_a_paused_job_stays_paused_after_a_restart() -> None:
    db = MemoryDatabase()
    app, add, ran = make(db)
    async with app:
        await add.schedule(1, 1).delay(0.1, job_id="later")
        assert await app.pause_job("later")
    again, _, ran_again = make(db)
    async with again:
        await asyncio.sleep(0.25)
        job = again.find_job("later")
        assert job is not None and job.paused
        assert ran_again == []
        assert await again.resume_job("later")
        await eventually(lambda: ran_again == [2])
    assert ran == []


async def test_run_now_runs_once_more_and_keeps_the_cron_schedule() -> None:
    db = MemoryDatabase()
    app, add, ran = make(db)
    async with app:
        job = await add.schedule(5, 5).cron(Cron("60"), job_id="hourly")
        planned = job.exec_at
        assert await app.run_job_now("hourly")
        await eventually(lambda: ran == [10])
        await asyncio.sleep(0.02)
        assert job.exec_at == planned  # the schedule is unchanged
        assert job.status is JobStatus.SCHEDULED


async def test_cancel_from_another_process_ends_the_job_and_drops_its_row() -> None:
    db = MemoryDatabase()
    scheduler, add, _ = make(db)
    producer, _, _ = make(db, role="producer")
    async with scheduler, producer:
        job = await add.schedule(1, 2).delay(60, job_id="doomed")
        assert await producer.cancel_job("doomed")
        await asyncio.wait_for(job.wait(), 3)
        assert job.status is JobStatus.CANCELLED
        assert "doomed" not in db.rows
        assert not await producer.cancel_job("doomed")  # gone: nothing to cancel


async def test_reschedule_moves_a_job_in_the_scheduler() -> None:
    db = MemoryDatabase()
    app, add, ran = make(db)
    async with app:
        await add.schedule(1, 1).delay(3600, job_id="far")
        soon = datetime.now(UTC) + timedelta(seconds=0.05)
        assert await app.reschedule_job("far", at=soon)
        await eventually(lambda: ran == [2])
        assert not await app.reschedule_job("nobody", at=soon)
        with pytest.raises(ValueError, match="one of them"):
            await app.reschedule_job("far")


async def test_control_of_unknown_ids_says_false() -> None:
    app, _, _ = make(MemoryDatabase())
    async with app:
        assert not await app.pause_job("nope")
        assert not await app.resume_job("nope")
        assert not await app.run_job_now("nope")
        assert not await app.cancel_job("nope")


# --- history -------------------------------------------------------------------------------


async def test_history_records_each_run_with_its_outcome_and_is_trimmed() -> None:
    db = MemoryDatabase()
    app, add, _ = make(db, history=HistoryRetention(max_runs_per_job=2))
    async with app:
        for a in (1, -1, 2):
            job = await add.schedule(a, 0).push(job_id="same", replace=True)
            await job.wait()
        await asyncio.sleep(0.02)
        runs = await app.job_history("same")
        assert [r.status for r in runs] == [
            JobStatus.SUCCESS, JobStatus.FAILED, JobStatus.SUCCESS,
        ]  # fmt: skip
        failed = runs[1]
        assert (failed.error_type, failed.attempt) == ("ValueError", 1)
        assert failed.error_message == "ValueError: negative -1"
        assert runs[0].result_summary == "2"
        assert all(r.started_at <= r.finished_at for r in runs)
        storage = app.configs.storage
        assert isinstance(storage, MemoryStorage)
        assert await storage.trim_runs(keep_per_job=2) == 1
        assert len(await app.job_history("same")) == 2


async def test_without_history_nothing_is_recorded() -> None:
    db = MemoryDatabase()
    app, add, _ = make(db)
    async with app:
        await (await add.push(1, 1)).wait()
        await asyncio.sleep(0.01)
    assert db.runs == []


# --- shutdown ------------------------------------------------------------------------------


async def test_a_job_that_ends_within_the_grace_is_finished_and_never_runs_again() -> None:
    db = MemoryDatabase()
    app = Jobify.from_config(
        None, autoload=False, storage=MemoryStorage(database=db), serializer=Json(),
        shutdown_grace=2,
    )  # fmt: skip
    done: list[str] = []

    @app.task(name="slowish")
    async def slowish() -> None:
        await asyncio.sleep(0.2)
        done.append("end")

    await app.startup()
    await slowish.schedule().push(job_id="s")
    await asyncio.sleep(0.05)
    await app.shutdown()  # waits for it
    assert done == ["end"]
    assert "s" not in db.rows  # recorded as finished
    assert db.outcomes["s"].status is JobStatus.SUCCESS


async def test_a_job_still_running_after_the_grace_is_cancelled_logged_and_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    db = MemoryDatabase()
    app = Jobify.from_config(
        None, autoload=False, storage=MemoryStorage(database=db), serializer=Json(),
        shutdown_grace=0.1,
    )  # fmt: skip

    @app.task(name="endless")
    async def endless() -> None:
        await asyncio.sleep(3600)

    await app.startup()
    job = await endless.schedule().push(job_id="e")
    await asyncio.sleep(0.05)
    with caplog.at_level(logging.WARNING, "jobify"):
        await app.shutdown()
    assert job.status is JobStatus.CANCELLED
    assert "e" in db.rows  # it runs again after a restart (at-least-once)
    assert "1 job(s) were still running and were cancelled" in caplog.text
    assert ": e" in caplog.text


# --- alerts and headers --------------------------------------------------------------------


async def test_a_cron_run_that_starts_late_is_reported_and_a_paused_one_is_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    missed: list[tuple[str, str, float]] = []

    class Watcher:
        @staticmethod
        def jobify_job_missed(job: Any, kind: str, late: timedelta) -> None:
            missed.append((job.id, kind, late.total_seconds()))

    hookimpl(Watcher.jobify_job_missed)
    clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC))
    app = Jobify.from_config(
        None, autoload=False, hook_plugins=[Watcher], storage=False, clock=clock,
        cron_factory=lambda e: Every(float(e)),
        alerts=Alerts(start_grace=timedelta(seconds=5)),
    )  # fmt: skip

    @app.task(name="tick")
    async def tick() -> None:
        await asyncio.sleep(0)

    async with app:
        job = await tick.schedule().cron(Cron("10"), job_id="t")
        with caplog.at_level(logging.WARNING, "jobify"):
            await clock.advance(10)  # on time: no alert
            assert missed == []
            job.exec_at -= timedelta(seconds=30)  # as if the process was down 30 s
            await clock.advance(10)
        assert [(i, k) for i, k, _ in missed] == [("t", "start")]
        assert missed[0][2] >= 30
        assert "did not start within its grace" in caplog.text


async def test_headers_from_a_hook_are_stored_and_back_when_the_job_runs_elsewhere() -> None:
    class Tracer:
        @staticmethod
        @hookimpl
        def jobify_job_headers(job: Any) -> dict[str, str]:
            return {"traceparent": f"00-{job.id}"}

    db = MemoryDatabase()
    producer = Jobify.from_config(
        None, autoload=False, hook_plugins=[Tracer], storage=MemoryStorage(database=db),
        serializer=Json(), role="producer",
    )  # fmt: skip
    scheduler = Jobify.from_config(
        None, autoload=False, storage=MemoryStorage(database=db), serializer=Json()
    )

    @scheduler.task(name="echo")
    async def echo(ctx: JobContext = INJECT) -> dict[str, str] | None:
        return ctx.job.headers  # runs in the scheduler: the producer's headers came along

    @producer.task(name="echo")
    async def echo_in_producer(ctx: JobContext = INJECT) -> dict[str, str] | None:
        return None

    async with scheduler, producer:
        job = await echo_in_producer.push()
        headers = await asyncio.wait_for(job, 5)
    assert headers == {"traceparent": f"00-{job.id}"}


async def test_a_producer_without_kept_results_says_how_to_wait() -> None:
    db = MemoryDatabase()
    producer, add, _ = make(db, role="producer", results_ttl=0)
    async with producer:
        job = await add.push(1, 1)
        with pytest.raises(RuntimeError, match="results_ttl"):
            await job.wait()


async def test_until_done_outlasts_every_run_of_a_cron_job() -> None:
    app, add, ran = make(MemoryDatabase())
    async with app:
        job = await add.schedule(1, 0).cron(Cron("0.02", max_runs=3), job_id="three")
        await until_done(job, 3)
    assert ran == [1, 1, 1]
