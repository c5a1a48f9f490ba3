"""Scheduling jobs: push, delay, at and the Job they return."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jobify import INJECT, Job, JobContext, Jobify, JobStatus, ScheduleBuilder
from jobify._kernel.arguments import uuid4_hex
from jobify.exceptions import (
    ApplicationStateError,
    DuplicateJobError,
    JobFailedError,
    JobNotCompletedError,
    JobTimeoutError,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- push and the job's life -------------------------------------------------------------


async def test_push_returns_a_scheduled_job_that_runs_and_succeeds(app: Jobify) -> None:
    seen: list[JobStatus] = []

    @app.task
    async def add(x: int, y: int = 10, ctx: JobContext = INJECT) -> int:
        seen.append(ctx.job.status)
        return x + y

    async with app:
        before = utcnow()
        job = await add.push(1)
        assert isinstance(job, Job)
        assert job.status is JobStatus.SCHEDULED
        assert not job.is_done()
        assert not job.is_cron()
        assert job.cron_expression is None
        assert job.exception is None
        assert before <= job.exec_at <= utcnow()
        assert app.find_job(job.id) is job
        with pytest.raises(JobNotCompletedError):
            job.result()
        assert await job.wait() is None
        assert seen == [JobStatus.RUNNING]
        assert job.status is JobStatus.SUCCESS
        assert job.is_done()
        assert job.result() == 11
        assert app.find_job(job.id) is None
        assert repr(job) == (
            f"<Job id={job.id!r}, status='success', exec_at={job.exec_at.isoformat()!r}>"
        )


async def test_sync_task_runs_and_returns(app: Jobify) -> None:
    @app.task
    def mul(x: int, y: int) -> int:
        return x * y

    async with app:
        job = await mul.push(3, y=4)
        await job.wait()
        assert job.status is JobStatus.SUCCESS
        assert job.result() == 12


async def test_failed_job_keeps_the_exception_and_result_raises(
    app: Jobify, caplog: pytest.LogCaptureFixture
) -> None:
    boom = ValueError("boom")

    @app.task
    async def fail() -> None:
        raise boom

    async with app:
        job = await fail.push()
        await job.wait()
    assert job.status is JobStatus.FAILED
    assert job.exception is boom
    with pytest.raises(JobFailedError) as info:
        job.result()
    assert info.value.__cause__ is boom
    assert info.value.job_id == job.id
    assert info.value.reason == "boom"
    assert any(r.levelname == "ERROR" and job.id in r.getMessage() for r in caplog.records)


async def test_wait_from_several_coroutines(app: Jobify) -> None:
    @app.task
    async def slow() -> str:
        await asyncio.sleep(0.02)
        return "done"

    async with app:
        job = await slow.push()
        results = await asyncio.gather(*(job.wait() for _ in range(5)))
        assert results == [None] * 5
        assert job.result() == "done"
        await job.wait()  # a done job returns at once


# --- job ids --------------------------------------------------------------------------------


async def test_default_job_id_is_a_uuid4_hex(app: Jobify) -> None:
    @app.task
    async def f() -> None:
        return None

    async with app:
        jobs = [await f.push() for _ in range(3)]
        for job in jobs:
            assert isinstance(job.id, str)
            assert re.fullmatch(r"[0-9a-f]{32}", job.id)
            assert uuid.UUID(hex=job.id).version == 4
        assert len({j.id for j in jobs}) == 3
        await app.wait_all()


def test_default_ids_are_unique_across_pool_refills_and_in_a_forked_child() -> None:
    ids = [uuid4_hex() for _ in range(1000)]  # several reads of the pool
    assert len(set(ids)) == 1000
    assert {uuid.UUID(hex=i).version for i in ids} == {4}
    assert {uuid.UUID(hex=i).variant for i in ids} == {uuid.RFC_4122}
    uuid4_hex()  # the pool holds ids read before the fork
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids must not be the parent's next ones
        os.write(write, "".join(uuid4_hex() for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 5 * 32).decode()
    os.close(read)
    parent = "".join(uuid4_hex() for _ in range(5))
    assert len(child) == 5 * 32
    assert not {child[i : i + 32] for i in range(0, 160, 32)} & {
        parent[i : i + 32] for i in range(0, 160, 32)
    }


async def test_custom_uuid_generator(cron_factory: Any) -> None:
    counter = iter(range(1, 100))

    def gen() -> uuid.UUID:
        return uuid.UUID(int=next(counter))

    app = Jobify(storage=False, cron_factory=cron_factory, uuid_generator=gen)

    @app.task
    async def f() -> None:
        return None

    async with app:
        first = await f.push()
        second = await f.schedule().delay(0)
        assert first.id == uuid.UUID(int=1).hex
        assert second.id == uuid.UUID(int=2).hex
        explicit = await f.schedule().delay(0, job_id="mine")
        assert explicit.id == "mine"
        await app.wait_all()

    names = iter(["job-a", "job-b"])
    app2 = Jobify(storage=False, cron_factory=cron_factory, uuid_generator=lambda: next(names))

    @app2.task
    async def g() -> None:
        return None

    async with app2:
        assert (await g.push()).id == "job-a"  # a non-UUID value is used as str()
        await app2.wait_all()


# --- the app must be started --------------------------------------------------------------


async def test_scheduling_before_startup_is_an_application_state_error(app: Jobify) -> None:
    @app.task
    async def f(x: int) -> int:
        return x

    with pytest.raises(ApplicationStateError, match="not started"):
        f.schedule(1)  # as in jobify 0.14, already when building
    with pytest.raises(ApplicationStateError) as info:
        await f.push(1)
    assert "start" in str(info.value)
    async with app:
        builder = f.schedule(1)
        assert isinstance(builder, ScheduleBuilder)
        assert builder.name == f.name
    with pytest.raises(ApplicationStateError):
        await builder.delay(0)
    with pytest.raises(ApplicationStateError):
        await builder.at(utcnow())
    with pytest.raises(ApplicationStateError):
        await builder.cron("1", job_id="c")
    assert app.get_active_jobs() == []

    async with app:
        pass
    with pytest.raises(ApplicationStateError):
        await f.push(1)  # nor after shutdown


# --- arguments ------------------------------------------------------------------------------


async def test_arguments_that_do_not_bind_are_a_type_error_naming_the_task(app: Jobify) -> None:
    @app.task(name="adder")
    async def add(x: int, y: int = 1) -> int:
        return x + y

    async with app:
        with pytest.raises(TypeError, match="'adder'.*too many positional"):
            add.schedule(1, 2, 3)  # raised by schedule() itself
        with pytest.raises(TypeError, match="'adder'.*missing a required argument: 'x'"):
            await add.push()
        with pytest.raises(TypeError, match="'adder'.*unexpected keyword argument 'z'"):
            await add.push(1, z=2)
        assert app.get_active_jobs() == []
        job = await add.push("not an int is not checked", y="!")
        await job.wait()
        assert job.result() == "not an int is not checked!"


# --- delay and at ---------------------------------------------------------------------------


async def test_delay_runs_later(app: Jobify) -> None:
    ran_at: list[datetime] = []

    @app.task
    async def f() -> None:
        ran_at.append(utcnow())

    async with app:
        before = utcnow()
        job = await f.schedule().delay(0.1)
        assert job.status is JobStatus.SCHEDULED
        assert timedelta(seconds=0.1) <= job.exec_at - before < timedelta(seconds=0.2)
        await asyncio.sleep(0.03)
        assert ran_at == []
        await job.wait()
        assert ran_at[0] >= job.exec_at - timedelta(milliseconds=5)
        assert job.status is JobStatus.SUCCESS


async def test_delay_relative_to_a_given_now_and_negative_delays(app: Jobify) -> None:
    @app.task
    async def f() -> None:
        return None

    async with app:
        base = utcnow() + timedelta(hours=1)
        later = await f.schedule().delay(5, now=base)
        assert later.exec_at == base + timedelta(seconds=5)
        await later.cancel()
        with pytest.raises(ValueError, match="naive"):
            await f.schedule().delay(1, now=datetime(2030, 1, 1))
        with pytest.raises(TypeError, match="seconds"):
            await f.schedule().delay("1")  # type: ignore[arg-type]
        soon = await f.schedule().delay(-5)
        await asyncio.wait_for(soon.wait(), 1)
        assert soon.status is JobStatus.SUCCESS


async def test_at_runs_at_the_given_time_and_keeps_its_timezone(app: Jobify) -> None:
    @app.task
    async def f() -> str:
        return "ok"

    async with app:
        tokyo = ZoneInfo("Asia/Tokyo")
        when = (utcnow() + timedelta(seconds=0.05)).astimezone(tokyo)
        job = await f.schedule().at(when)
        assert job.exec_at == when
        assert job.exec_at.tzinfo is tokyo  # kept as given, not converted
        await asyncio.wait_for(job.wait(), 1)
        assert utcnow() >= when
        assert job.result() == "ok"


async def test_naive_datetime_in_at_is_a_value_error(app: Jobify) -> None:
    # Deliberate deviation: the reference accepts it as local time.
    @app.task
    async def f() -> None:
        return None

    async with app:
        with pytest.raises(ValueError, match="naive") as info:
            await f.schedule().at(datetime(2030, 1, 1, 12, 0))
        assert "tzinfo" in str(info.value) or "timezone-aware" in str(info.value)
        with pytest.raises(TypeError, match="datetime"):
            await f.schedule().at("2030-01-01T12:00:00+00:00")  # type: ignore[arg-type]
        assert app.get_active_jobs() == []


async def test_past_at_runs_now(app: Jobify) -> None:
    @app.task
    async def f() -> int:
        return 7

    async with app:
        past = utcnow() - timedelta(days=1)
        job = await f.schedule().at(past)
        assert job.status is JobStatus.SCHEDULED
        assert job.exec_at == past
        await asyncio.wait_for(job.wait(), 0.5)
        assert job.result() == 7


async def test_exec_at_is_in_the_app_timezone(cron_factory: Any) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    app = Jobify(storage=False, cron_factory=cron_factory, tz=tokyo)

    @app.task
    async def f() -> None:
        return None

    async with app:
        job = await f.push()
        assert job.exec_at.tzinfo is tokyo
        delayed = await f.schedule().delay(0)
        assert delayed.exec_at.tzinfo is tokyo
        assert f.schedule().now().tzinfo is tokyo
        await app.wait_all()

    fixed = timezone(timedelta(hours=-3))
    app2 = Jobify(storage=False, cron_factory=cron_factory, tz=fixed)

    @app2.task
    async def g() -> None:
        return None

    async with app2:
        assert (await g.push()).exec_at.utcoffset() == timedelta(hours=-3)
        await app2.wait_all()


async def test_default_timezone_is_utc(app: Jobify) -> None:
    @app.task
    async def f() -> None:
        return None

    async with app:
        job = await f.push()
        assert job.exec_at.utcoffset() == timedelta(0)
        await job.wait()


def test_bad_tz_is_a_type_error(cron_factory: Any) -> None:
    with pytest.raises(TypeError, match="tz"):
        Jobify(storage=False, cron_factory=cron_factory, tz="UTC")  # type: ignore[arg-type]


# --- job ids in use ----------------------------------------------------------------------------


async def test_duplicate_job_id_is_rejected_until_the_job_is_done(app: Jobify) -> None:
    @app.task
    async def f(x: int) -> int:
        return x

    async with app:
        first = await f.schedule(1).delay(0.05, job_id="A")
        with pytest.raises(DuplicateJobError) as info:
            await f.schedule(2).delay(0.05, job_id="A")
        assert info.value.job_id == "A"
        with pytest.raises(DuplicateJobError):
            await f.schedule(2).at(utcnow(), job_id="A", force=True)
        with pytest.raises(DuplicateJobError):
            await f.schedule(2).push(job_id="A")
        assert app.find_job("A") is first
        await first.wait()
        assert first.result() == 1
        again = await f.schedule(3).delay(0, job_id="A")
        assert again is not first
        await again.wait()
        assert again.result() == 3


async def test_replace_returns_the_same_job_and_runs_once_with_the_new_args(app: Jobify) -> None:
    calls: list[int] = []

    @app.task
    async def f(x: int) -> int:
        calls.append(x)
        return x

    async with app:
        first = await f.schedule(1).delay(0.05, job_id="A")
        second = await f.schedule(2).delay(0.08, job_id="A", replace=True)
        assert second is first
        assert second.status is JobStatus.SCHEDULED
        assert app.find_job("A") is first
        assert len(app.get_active_jobs()) == 1
        await first.wait()
        await asyncio.sleep(0.05)  # the first timer would have fired by now
        assert calls == [2]
        assert first.result() == 2
        # replace=True for an id not in use simply schedules
        fresh = await f.schedule(5).delay(0, job_id="B", replace=True)
        await fresh.wait()
        assert calls == [2, 5]


async def test_replacing_a_running_job_cancels_it_and_schedules_a_new_one(app: Jobify) -> None:
    started = asyncio.Event()

    @app.task
    async def f(x: int) -> int:
        if x == 1:
            started.set()
            await asyncio.sleep(10)
        return x

    async with app:
        running = await f.schedule(1).push(job_id="R")
        await started.wait()
        replacement = await f.schedule(2).push(job_id="R", replace=True)
        assert replacement is not running
        assert running.status is JobStatus.CANCELLED
        await replacement.wait()
        assert replacement.result() == 2


# --- results -----------------------------------------------------------------------------------


async def test_timeout_result_is_not_completed(app: Jobify) -> None:
    @app.task(timeout=0.05)
    async def slow() -> None:
        await asyncio.sleep(1)

    async with app:
        job = await slow.push()
        await asyncio.wait_for(job.wait(), 1)
    assert job.status is JobStatus.TIMEOUT
    assert isinstance(job.exception, JobTimeoutError)
    assert job.exception.timeout == 0.05
    with pytest.raises(JobNotCompletedError):
        job.result()


# --- cancel ------------------------------------------------------------------------------------


async def test_cancel_a_scheduled_job(app: Jobify) -> None:
    calls: list[int] = []

    @app.task
    async def f() -> None:
        calls.append(1)

    async with app:
        job = await f.schedule().delay(0.05)
        assert await job.cancel() is None
        assert job.status is JobStatus.CANCELLED
        assert job.is_done()
        assert app.find_job(job.id) is None
        await job.wait()
        await job.cancel()  # again: no error
        assert job.status is JobStatus.CANCELLED
        with pytest.raises(JobNotCompletedError):
            job.result()
        await asyncio.sleep(0.1)
        assert calls == []


async def test_cancel_a_running_job(app: Jobify) -> None:
    started = asyncio.Event()
    outcome: list[str] = []

    @app.task
    async def f() -> None:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    async with app:
        job = await f.push()
        await started.wait()
        assert job.status is JobStatus.RUNNING
        await job.cancel()
        assert job.status is JobStatus.CANCELLED
        assert job.is_done()
        assert job.exception is None
        assert outcome == ["cancelled"]
        assert app.find_job(job.id) is None
        await asyncio.wait_for(job.wait(), 0.5)
        with pytest.raises(JobNotCompletedError):
            job.result()


async def test_cancel_a_finished_job_changes_nothing(app: Jobify) -> None:
    @app.task
    async def f() -> int:
        return 1

    async with app:
        job = await f.push()
        await job.wait()
        await job.cancel()
        assert job.status is JobStatus.SUCCESS
        assert job.result() == 1


async def test_a_job_can_cancel_itself(app: Jobify) -> None:
    @app.task
    async def f(ctx: JobContext = INJECT) -> str:
        await ctx.job.cancel()
        return "ignored"

    async with app:
        job = await f.push()
        await asyncio.wait_for(job.wait(), 0.5)
        assert job.status is JobStatus.CANCELLED
        await asyncio.sleep(0.01)
        assert job.status is JobStatus.CANCELLED
        assert app.get_active_jobs() == []


# --- find_job, get_active_jobs, wait_all -----------------------------------------------------------


async def test_find_job_and_get_active_jobs(app: Jobify) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    @app.task
    async def f() -> None:
        started.set()
        await release.wait()

    async with app:
        assert app.find_job("nope") is None
        assert app.get_active_jobs() == []
        running = await f.push()
        await started.wait()
        later = await f.schedule().delay(10, job_id="later")
        active = app.get_active_jobs()
        assert set(active) == {running, later}
        assert {j.status for j in active} == {JobStatus.RUNNING, JobStatus.SCHEDULED}
        assert app.find_job("later") is later
        assert app.find_job(running.id) is running
        release.set()
        await running.wait()
        assert app.get_active_jobs() == [later]
        await later.cancel()
        assert app.get_active_jobs() == []


async def test_wait_all_returns_when_idle(app: Jobify) -> None:
    done: list[int] = []

    @app.task
    async def f(x: int) -> None:
        await asyncio.sleep(0.02 * x)
        done.append(x)

    async with app:
        await asyncio.wait_for(app.wait_all(), 0.5)  # nothing scheduled: at once
        await asyncio.wait_for(app.wait_all(timeout=0.01), 0.5)
        for x in (1, 2, 3):
            await f.push(x)
        await f.schedule(0).delay(0.05)
        await asyncio.wait_for(app.wait_all(), 1)
        assert sorted(done) == [0, 1, 2, 3]
        assert app.get_active_jobs() == []


async def test_wait_all_raises_timeout_error(app: Jobify) -> None:
    @app.task
    async def slow() -> None:
        await asyncio.sleep(10)

    async with app:
        job = await slow.push()
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(TimeoutError):
            await app.wait_all(timeout=0.05)
        assert 0.04 <= loop.time() - start < 0.5
        assert job.status is JobStatus.RUNNING  # waiting does not cancel anything
        await job.cancel()
        await asyncio.wait_for(app.wait_all(), 0.5)
