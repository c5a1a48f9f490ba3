"""Durable jobs on a fake storage: rows written and deleted, restore, set-aside, misfire."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jobify import (
    INJECT,
    Cron,
    GracePolicy,
    JobContext,
    Jobify,
    JobStatus,
    MisfirePolicy,
    OuterContext,
)
from jobify.exceptions import ConfigError, DuplicateJobError
from jobify.middleware import BaseOuterMiddleware, CallNextOuter
from jobify.storage import ScheduledJob, Storage
from jobify.testing.jobs import until_done

MakeApp = Callable[..., Jobify]


def utcnow() -> datetime:
    return datetime.now(UTC)


async def settle() -> None:
    """Let the batched deletes reach the storage."""
    for _ in range(3):
        await asyncio.sleep(0)


def declare(app: Jobify, log: list[Any]) -> dict[str, Any]:
    """The same tasks, by name, in every app of a test (a restart re-declares them)."""

    @app.task(name="echo")
    async def echo(x: int, ctx: JobContext = INJECT) -> int:
        log.append(("echo", x, ctx.job.exec_at))
        return x

    @app.task(name="tick")
    async def tick(ctx: JobContext = INJECT) -> None:
        log.append(("tick", ctx.job.exec_at))

    @app.task(name="volatile", durable=False)
    async def volatile(x: int) -> int:
        return x

    return {"echo": echo, "tick": tick, "volatile": volatile}


# --- writes and deletes -----------------------------------------------------------------------


async def test_durable_push_writes_a_row_deleted_after_success(
    make_app: MakeApp, storage: Any, serializer: Any
) -> None:
    app = make_app()
    tasks = declare(app, [])
    assert isinstance(storage, Storage)
    async with app:
        assert storage.started == 1
        job = await tasks["echo"].push(5)
        row = storage.rows[job.id]
        assert isinstance(row, ScheduledJob)
        assert row.job_id == job.id
        assert row.name == "echo"
        assert row.status == JobStatus.SCHEDULED
        assert row.next_run_at == job.exec_at
        assert isinstance(row.message, bytes)
        message = serializer.loadb(row.message)
        assert message["args"] == {"x": 5}  # INJECT parameters are not stored
        await job.wait()
        await settle()
        assert job.id not in storage.rows
        assert storage.delete_many_calls == [[job.id]]
        assert storage.deleted == [job.id]
    assert storage.stopped == 1


async def test_deletes_are_batched(make_app: MakeApp, storage: Any) -> None:
    app = make_app()
    tasks = declare(app, [])
    async with app:
        jobs = [await tasks["echo"].push(i) for i in range(5)]
        await app.wait_all()
        await settle()
    assert all(j.status is JobStatus.SUCCESS for j in jobs)
    assert storage.rows == {}
    assert sorted(storage.deleted) == sorted(j.id for j in jobs)
    assert len(storage.delete_many_calls) < len(jobs)


async def test_failed_and_cancelled_jobs_are_deleted_too(make_app: MakeApp, storage: Any) -> None:
    app = make_app()

    @app.task(name="bad")
    async def bad() -> None:
        raise ValueError

    tasks = declare(app, [])
    async with app:
        failed = await bad.push()
        later = await tasks["echo"].schedule(1).delay(10)
        assert set(storage.rows) == {failed.id, later.id}
        await failed.wait()
        await later.cancel()
        await settle()
        assert storage.rows == {}


async def test_durable_false_never_touches_storage(make_app: MakeApp, storage: Any) -> None:
    app = make_app()
    tasks = declare(app, [])
    async with app:
        job = await tasks["volatile"].push(1)
        later = await tasks["volatile"].schedule(2).delay(10)
        cron = await tasks["volatile"].schedule(3).cron("10", job_id="vc")
        await job.wait()
        await later.cancel()
        await cron.cancel()
        await settle()
    assert storage.added == []
    assert storage.deleted == []
    assert storage.delete_many_calls == []


async def test_storage_off_means_no_serializer_is_needed(cron_factory: Any) -> None:
    app = Jobify(storage=False, cron_factory=cron_factory)
    declare(app, [])
    async with app:
        assert app.configs.storage is not None


def test_storage_on_without_a_serializer_is_a_config_error(storage: Any, cron_factory: Any) -> None:
    with pytest.raises(ConfigError, match="serializer"):
        Jobify(storage=storage, cron_factory=cron_factory)


def test_storage_must_be_a_storage(cron_factory: Any) -> None:
    with pytest.raises(TypeError, match="storage"):
        Jobify(storage="sqlite", cron_factory=cron_factory)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="storage"):
        Jobify(storage=True, cron_factory=cron_factory)


async def test_cron_row_is_updated_after_each_run(make_app: MakeApp, storage: Any) -> None:
    app = make_app()
    log: list[Any] = []
    tasks = declare(app, log)
    async with app:
        job = await tasks["tick"].schedule().cron(Cron("0.02", max_runs=3), job_id="cr")
        first = storage.rows["cr"]
        assert first.next_run_at == job.exec_at
        while len(log) < 1:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.005)
        second = storage.rows["cr"]
        assert second.next_run_at > first.next_run_at
        await until_done(job, 2)
        await settle()
        assert "cr" not in storage.rows  # the schedule ended: the row goes


async def test_pending_deletes_are_flushed_at_shutdown(make_app: MakeApp, storage: Any) -> None:
    app = make_app()
    tasks = declare(app, [])
    async with app:
        job = await tasks["echo"].push(1)
        await job.wait()
    assert storage.rows == {}
    assert storage.deleted == [job.id]


async def test_a_vetoed_job_is_not_stored(make_app: MakeApp, storage: Any) -> None:
    persist_flags: list[bool] = []

    class Veto(BaseOuterMiddleware):
        async def __call__(self, call_next: CallNextOuter, context: OuterContext) -> Any:
            persist_flags.append(context.is_persist)
            if context.arguments.get("x") == 0:
                return None
            return await call_next(context)

    app = make_app(outer_middleware=[Veto()])
    tasks = declare(app, [])
    async with app:
        vetoed = await tasks["echo"].push(0)
        kept = await tasks["echo"].schedule(1).delay(10)
        assert vetoed.status is JobStatus.PENDING
        assert set(storage.rows) == {kept.id}
        await tasks["volatile"].push(2)
    assert persist_flags == [True, True, False]


# --- shutdown and restore ------------------------------------------------------------------------


async def test_shutdown_keeps_rows_and_a_new_app_restores_an_at_job(
    make_app: MakeApp, storage: Any
) -> None:
    log: list[Any] = []
    first = make_app()
    tasks = declare(first, log)
    async with first:
        job = await tasks["echo"].schedule(42).delay(0.1, job_id="later")
        exec_at = job.exec_at
    assert job.status is JobStatus.CANCELLED
    assert set(storage.rows) == {"later"}
    assert storage.deleted == []
    assert log == []

    second = make_app()
    declare(second, log)
    async with second:
        restored = second.find_job("later")
        assert restored is not None
        assert restored.status is JobStatus.PENDING  # restored, not yet run (as 0.14)
        assert restored.exec_at == exec_at
        await until_done(restored, 1)
        assert restored.result() == 42
        await settle()
    assert log == [("echo", 42, exec_at)]
    assert storage.rows == {}


async def test_a_job_due_during_downtime_runs_at_startup(make_app: MakeApp, storage: Any) -> None:
    log: list[Any] = []
    first = make_app()
    tasks = declare(first, log)
    async with first:
        await tasks["echo"].schedule(1).delay(0.02, job_id="due")
    await asyncio.sleep(0.05)

    second = make_app()
    declare(second, log)
    async with second:
        job = second.find_job("due")
        assert job is not None
        await until_done(job, 0.5)
    assert [entry[:2] for entry in log] == [("echo", 1)]


async def test_a_restored_cron_job_continues_its_run_count(make_app: MakeApp, storage: Any) -> None:
    log: list[Any] = []
    first = make_app()
    tasks = declare(first, log)
    async with first:
        job = await tasks["tick"].schedule().cron(Cron("0.03", max_runs=3), job_id="cr")
        while not log:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.005)
        assert job.cron_context is not None
        assert job.cron_context.run_count == 1
    assert len(log) == 1
    assert "cr" in storage.rows

    second = make_app()
    declare(second, log)
    async with second:
        restored = second.find_job("cr")
        assert restored is not None
        assert restored.is_cron()
        assert restored.cron_context is not None
        assert restored.cron_context.run_count == 1
        await until_done(restored, 2)
        assert restored.status is JobStatus.SUCCESS
        await settle()
    assert len(log) == 3  # 1 before the restart, 2 after: max_runs=3 in all
    assert "cr" not in storage.rows


async def test_restored_rows_run_in_time_order_around_a_cron_row(
    make_app: MakeApp, storage: Any
) -> None:
    log: list[Any] = []
    first = make_app()
    tasks = declare(first, log)
    async with first:
        for i in range(6):  # stored latest first: restore arms them by their time
            await tasks["echo"].schedule(i).delay(0.15 - 0.025 * i, job_id=f"e{i}")
        await tasks["tick"].schedule().cron(Cron("0.07", max_runs=1), job_id="cr")

    second = make_app()
    declare(second, log)
    async with second:
        jobs = [second.find_job(f"e{i}") for i in range(6)]
        assert all(job is not None and job.status is JobStatus.PENDING for job in jobs)
        for job in jobs:
            assert job is not None
            await until_done(job, 1)
    echoes = [entry[1] for entry in log if entry[0] == "echo"]
    assert echoes == [5, 4, 3, 2, 1, 0]
    assert [entry[0] for entry in log].count("tick") == 1


async def test_rescheduling_a_restored_id_is_a_duplicate(make_app: MakeApp) -> None:
    first = make_app()
    tasks = declare(first, [])
    async with first:
        await tasks["tick"].schedule().cron("10", job_id="cr")

    second = make_app()
    tasks = declare(second, [])
    async with second:
        with pytest.raises(DuplicateJobError):
            await tasks["tick"].schedule().cron("10", job_id="cr")
        same = await tasks["tick"].schedule().cron("10", job_id="cr", replace=True)
        assert same is second.find_job("cr")


async def test_declared_cron_is_restored_not_duplicated(
    make_app: MakeApp, storage: Any, cron_factory: Any
) -> None:
    def build() -> Jobify:
        app = make_app()

        @app.task(name="beat", cron=Cron("10"))
        async def beat() -> None:
            return None

        return app

    first = build()
    async with first:
        job = first.find_job("beat__jobify_cron_definition")
        assert job is not None
        exec_at = job.exec_at
    assert set(storage.rows) == {"beat__jobify_cron_definition"}

    second = build()
    async with second:
        jobs = second.get_active_jobs()
        assert [j.id for j in jobs] == ["beat__jobify_cron_definition"]
        assert jobs[0].exec_at == exec_at  # the stored schedule is kept


async def test_declared_cron_with_a_changed_expression_moves_the_restored_job(
    make_app: MakeApp, storage: Any
) -> None:
    def build(expression: str) -> Jobify:
        app = make_app()

        @app.task(name="beat", cron=expression)
        async def beat() -> None:
            return None

        return app

    async with build("10"):
        pass
    app = build("20")
    async with app:
        job = app.find_job("beat__jobify_cron_definition")
        assert job is not None
        assert job.cron_expression == "20"
        assert len(app.get_active_jobs()) == 1
    message = storage.rows["beat__jobify_cron_definition"].message
    assert b'"20"' in message


# --- rows that cannot be restored ----------------------------------------------------------------


async def test_unknown_task_and_corrupt_rows_are_set_aside(
    make_app: MakeApp, storage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    log: list[Any] = []
    first = make_app()
    tasks = declare(first, log)
    async with first:
        good = await tasks["echo"].schedule(7).delay(0.05, job_id="good")
        await tasks["echo"].schedule(8).delay(10, job_id="corrupt")
        await tasks["echo"].schedule(9).delay(10, job_id="wrong-args")
    good_at = good.exec_at
    row = storage.rows["corrupt"]
    storage.rows["corrupt"] = row._replace(message=b"\x00not json")
    row = storage.rows["wrong-args"]
    storage.rows["wrong-args"] = row._replace(message=row.message.replace(b'"x"', b'"nope"'))
    storage.rows["orphan"] = ScheduledJob(
        "orphan", "removed.task", b"{}", JobStatus.SCHEDULED, utcnow()
    )

    second = make_app()
    declare(second, log)
    async with second:
        assert second.find_job("orphan") is None
        assert second.find_job("corrupt") is None
        assert second.find_job("wrong-args") is None
        job = second.find_job("good")
        assert job is not None
        await until_done(job, 1)
        await settle()
    reasons = dict(storage.set_aside_calls)
    assert set(reasons) == {"orphan", "corrupt", "wrong-args"}
    assert "removed.task" in reasons["orphan"]
    assert "nope" in reasons["wrong-args"]
    assert not set(reasons) & set(storage.deleted)  # set aside, never deleted
    assert set(storage.aside) == {"orphan", "corrupt", "wrong-args"}
    assert log == [("echo", 7, good_at)]
    assert any("set aside" in r.getMessage() for r in caplog.records)


async def test_rows_are_kept_when_the_storage_cannot_set_aside(
    make_app: MakeApp, storage: Any
) -> None:
    class NoSetAside(type(storage)):  # type: ignore[misc]
        set_aside = None  # type: ignore[assignment]

    plain = NoSetAside()
    plain.rows["orphan"] = ScheduledJob("orphan", "gone", b"{}", JobStatus.SCHEDULED, utcnow())
    app = make_app(storage=plain)
    declare(app, [])
    async with app:
        assert app.get_active_jobs() == []
    assert "orphan" in plain.rows
    assert plain.deleted == []


# --- misfire on restore ----------------------------------------------------------------------------


async def restart_after_downtime(
    make_app: MakeApp, policy: Any, *, step: float, downtime: float
) -> tuple[datetime, datetime, list[Any], Jobify]:
    """Schedule an ``Every(step)`` cron job, stop, wait ``downtime``, start a new app.

    Returns the first planned run, the restart time, the run log and the
    started second app (the caller shuts it down).
    """
    log: list[Any] = []
    first = make_app()
    tasks = declare(first, log)
    async with first:
        job = (
            await tasks["tick"].schedule().cron(Cron(str(step), misfire_policy=policy), job_id="m")
        )
        planned = job.exec_at
    await asyncio.sleep(downtime)
    second = make_app()
    declare(second, log)
    restart = utcnow()
    await second.startup()
    return planned, restart, log, second


async def wait_for_runs(log: list[Any], count: int) -> None:
    async with asyncio.timeout(2):
        while len(log) < count:
            await asyncio.sleep(0.005)


async def test_misfire_all_runs_each_missed_run(make_app: MakeApp) -> None:
    step = timedelta(seconds=0.05)
    planned, restart, log, app = await restart_after_downtime(
        make_app, MisfirePolicy.ALL, step=0.05, downtime=0.14
    )
    try:
        await wait_for_runs(log, 4)
    finally:
        await app.shutdown()
    runs = [at for _, at in log]
    # every occurrence from the first missed one on, in order, none skipped
    assert runs[:4] == [planned + i * step for i in range(4)]
    missed = [at for at in runs if at < restart]
    assert len(missed) >= 2


async def test_misfire_once_runs_once_then_resumes(make_app: MakeApp) -> None:
    step = timedelta(seconds=0.05)
    planned, restart, log, app = await restart_after_downtime(
        make_app, MisfirePolicy.ONCE, step=0.05, downtime=0.14
    )
    try:
        await wait_for_runs(log, 2)
    finally:
        await app.shutdown()
    runs = [at for _, at in log]
    assert planned < restart
    assert restart <= runs[0] <= restart + timedelta(seconds=0.1)  # one run, now
    assert runs[1] == runs[0] + step  # then the schedule resumes from it


async def test_misfire_skip_runs_none_of_the_missed(make_app: MakeApp, cron_factory: Any) -> None:
    step = timedelta(seconds=0.05)
    planned, restart, log, app = await restart_after_downtime(
        make_app, MisfirePolicy.SKIP, step=0.05, downtime=0.14
    )
    try:
        await wait_for_runs(log, 1)
    finally:
        await app.shutdown()
    runs = [at for _, at in log]
    assert planned < restart
    assert all(at > restart for at in runs)
    assert runs[0] <= restart + step + timedelta(seconds=0.1)


async def test_misfire_grace_runs_inside_the_window_only(make_app: MakeApp) -> None:
    # the run after the first is dropped too (beyond its grace) unless the app gets to it
    # within 2 * step = 200 ms of the restart: room for a stall (a collection in a big
    # test process took the 100 ms that a 50 ms step left)
    step = timedelta(seconds=0.1)
    grace = timedelta(seconds=0.25)
    planned, restart, log, app = await restart_after_downtime(
        make_app, GracePolicy(grace), step=0.1, downtime=0.5
    )
    try:
        await wait_for_runs(log, 2)
    finally:
        await app.shutdown()
    runs = [at for _, at in log]
    assert planned < restart - grace
    assert planned not in runs  # too late to run
    # the schedule resumed with a run inside the window, missed but run at once
    assert restart - grace <= runs[0] < restart
    assert runs[1] == runs[0] + step


# --- storage failures ------------------------------------------------------------------------------


async def test_failing_add_schedule_makes_push_raise_and_leaves_no_job(
    make_app: MakeApp, storage: Any
) -> None:
    app = make_app()
    tasks = declare(app, [])
    async with app:
        storage.fail_add = OSError("disk full")
        with pytest.raises(OSError, match="disk full"):
            await tasks["echo"].schedule(1).push(job_id="lost")
        with pytest.raises(OSError, match="disk full"):
            await tasks["tick"].schedule().cron("10", job_id="lost-cron")
        assert app.find_job("lost") is None
        assert app.find_job("lost-cron") is None
        assert app.get_active_jobs() == []
        storage.fail_add = None
        job = await tasks["echo"].schedule(2).push(job_id="lost")  # the id is free
        await job.wait()
        assert job.result() == 2
        await settle()
    assert storage.deleted == ["lost"]


async def test_arguments_the_serializer_cannot_store_fail_at_push(
    make_app: MakeApp, storage: Any
) -> None:
    app = make_app()

    @app.task(name="takes_object")
    async def takes_object(x: object) -> None:
        return None

    async with app:
        with pytest.raises(ValueError, match="takes_object") as info:
            await takes_object.push(object())
        assert "durable=False" in str(info.value)
        assert app.get_active_jobs() == []
    assert storage.rows == {}


@pytest.mark.parametrize("enabled", [True, False], ids=["gc-on", "gc-off"])
async def test_a_restore_leaves_the_garbage_collector_as_it_found_it(
    make_app: MakeApp, storage: Any, enabled: bool
) -> None:
    """The restore pauses collections while it reads rows; the app's own setting survives."""
    log: list[Any] = []
    first = make_app()
    tasks = declare(first, log)
    async with first:
        for i in range(3):
            await tasks["echo"].schedule(i).delay(60, job_id=f"e{i}")
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        second = make_app()
        declare(second, log)
        async with second:
            assert all(second.find_job(f"e{i}") is not None for i in range(3))
            assert gc.isenabled() is enabled
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
