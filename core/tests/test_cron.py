"""Cron jobs with the fake ``Every`` parser (the expression is a number of seconds)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jobify import (
    INJECT,
    Cron,
    GracePolicy,
    JobContext,
    Jobify,
    JobRouter,
    JobStatus,
    MisfirePolicy,
)
from jobify._kernel.triggers import resolve_misfire
from jobify.exceptions import ApplicationStateError, DuplicateJobError, JobFailedError
from jobify.testing.jobs import until_done

CRON_SUFFIX = "__jobify_cron_definition"


def utcnow() -> datetime:
    return datetime.now(UTC)


async def test_next_run_starts_from_now_then_from_each_previous_run(
    app: Jobify, cron_factory: Any
) -> None:
    runs: list[tuple[datetime, JobStatus]] = []

    @app.task
    async def tick(ctx: JobContext = INJECT) -> int:
        runs.append((ctx.job.exec_at, ctx.job.status))
        return len(runs)

    async with app:
        before = utcnow()
        job = await tick.schedule().cron(Cron("0.05", max_runs=3), job_id="c1")
        after = utcnow()
        assert job.id == "c1"
        assert job.status is JobStatus.SCHEDULED
        assert job.is_cron()
        assert job.cron_expression == "0.05"
        assert repr(job).endswith(", cron='0.05'>")
        parser = cron_factory.parsers[-1]
        assert len(parser.nows) == 1
        assert before <= parser.nows[0] <= after
        assert parser.nows[0].tzinfo is not None
        assert job.exec_at == parser.nows[0] + timedelta(seconds=0.05)
        await until_done(job, 2)

    exec_ats = [at for at, _ in runs]
    assert [status for _, status in runs] == [JobStatus.RUNNING] * 3
    # after each run the next one is computed from the previous planned time, not the clock
    assert parser.nows == [parser.nows[0], exec_ats[0], exec_ats[1]]
    step = timedelta(seconds=0.05)
    assert exec_ats == [parser.nows[0] + step, parser.nows[0] + 2 * step, parser.nows[0] + 3 * step]


async def test_between_runs_the_same_job_is_scheduled_again(app: Jobify) -> None:
    seen: list[int] = []

    @app.task
    async def tick(ctx: JobContext = INJECT) -> None:
        seen.append(id(ctx.job))

    async with app:
        job = await tick.schedule().cron("0.03", job_id="again")
        while len(seen) < 2:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0)
        assert job.status is JobStatus.SCHEDULED
        assert app.find_job("again") is job
        assert not job.is_done()
        assert set(seen) == {id(job)}
        await job.cancel()
        assert job.status is JobStatus.CANCELLED
        count = len(seen)
        await asyncio.sleep(0.08)
        assert len(seen) == count  # no further runs
        assert app.find_job("again") is None


async def test_max_runs_ends_with_success_and_the_last_result(app: Jobify) -> None:
    counter: list[int] = []

    @app.task
    async def tick() -> int:
        counter.append(1)
        return len(counter)

    async with app:
        job = await tick.schedule().cron(Cron("0.02", max_runs=3), job_id="m")
        await until_done(job, 2)
        assert job.status is JobStatus.SUCCESS
        assert job.is_done()
        assert job.result() == 3
        assert app.find_job("m") is None
        await asyncio.sleep(0.05)
        assert len(counter) == 3


async def test_max_failures_ends_permanently_failed(app: Jobify) -> None:
    calls: list[int] = []

    @app.task
    async def bad() -> None:
        calls.append(1)
        msg = f"failure {len(calls)}"
        raise ValueError(msg)

    async with app:
        job = await bad.schedule().cron(Cron("0.02", max_failures=2), job_id="b1")
        await until_done(job, 2)
    assert len(calls) == 2
    assert job.status is JobStatus.PERMANENTLY_FAILED
    assert str(job.exception) == "failure 2"
    with pytest.raises(JobFailedError):
        job.result()


async def test_disabling_by_max_failures_is_logged_with_the_way_back(
    app: Jobify, caplog: pytest.LogCaptureFixture
) -> None:
    @app.task(name="bad")
    async def bad() -> None:
        raise ValueError("boom")

    async with app:
        job = await bad.schedule().cron(Cron("0.02", max_failures=2), job_id="b1")
        await until_done(job, 2)
    disabled = [r for r in caplog.records if "disabled" in r.getMessage()]
    assert len(disabled) == 1
    assert disabled[0].levelno == logging.ERROR
    assert disabled[0].getMessage() == (
        "cron job b1 (bad) disabled after 2 consecutive failures (max_failures=2); it will "
        "not run again. To re-enable it, fix the cause, then restart the app (a cron= task is "
        "declared again at startup) or schedule it again: "
        "bad.schedule(...).cron(..., job_id='b1', replace=True)"
    )


async def test_a_success_resets_the_consecutive_failures(app: Jobify) -> None:
    outcomes = iter(["fail", "ok", "fail", "fail"])
    calls: list[str] = []

    @app.task
    async def flaky() -> str:
        outcome = next(outcomes)
        calls.append(outcome)
        if outcome == "fail":
            raise RuntimeError(outcome)
        return outcome

    async with app:
        job = await flaky.schedule().cron(Cron("0.02", max_failures=2), job_id="f")
        await until_done(job, 2)
    assert calls == ["fail", "ok", "fail", "fail"]
    assert job.status is JobStatus.PERMANENTLY_FAILED


async def test_timeouts_count_as_failures(app: Jobify) -> None:
    @app.task(timeout=0.01)
    async def slow() -> None:
        await asyncio.sleep(1)

    async with app:
        job = await slow.schedule().cron(Cron("0.02", max_failures=2), job_id="t")
        await until_done(job, 2)
    assert job.status is JobStatus.PERMANENTLY_FAILED


async def test_future_start_date_is_the_first_run_time(app: Jobify, cron_factory: Any) -> None:
    runs: list[datetime] = []

    @app.task
    async def tick(ctx: JobContext = INJECT) -> None:
        runs.append(ctx.job.exec_at)

    async with app:
        start = utcnow() + timedelta(seconds=0.05)
        job = await tick.schedule().cron(Cron("0.05", start_date=start, max_runs=2), job_id="s")
        parser = cron_factory.parsers[-1]
        assert job.exec_at == start
        assert parser.nows == []  # not asked for the first run
        await until_done(job, 2)
    assert runs == [start, start + timedelta(seconds=0.05)]
    assert parser.nows == [start]


@pytest.mark.parametrize(
    ("policy", "expected_runs"),
    [
        (MisfirePolicy.ALL, 4),  # 0.05 s apart since 0.2 s ago: each missed run, back to back
        (MisfirePolicy.ONCE, 1),
        (MisfirePolicy.SKIP, 0),
        (GracePolicy(timedelta(seconds=0.11)), 2),  # the runs at most 0.11 s late
    ],
)
async def test_a_past_start_date_is_a_misfire(
    app: Jobify, policy: MisfirePolicy | GracePolicy, expected_runs: int
) -> None:
    runs: list[datetime] = []

    @app.task
    async def tick(ctx: JobContext = INJECT) -> None:
        runs.append(ctx.job.exec_at)

    async with app:
        now = utcnow()
        start = now - timedelta(seconds=0.2) - timedelta(microseconds=500)
        job = await tick.schedule().cron(
            Cron("0.05", start_date=start, misfire_policy=policy), job_id="p"
        )
        await asyncio.sleep(0.03)  # the missed runs happen at once; the next is 0.05 s away
        await job.cancel()
    assert len(runs) == expected_runs
    if policy is MisfirePolicy.ALL:
        assert runs == [
            start + timedelta(seconds=0.05 * i) - timedelta(microseconds=1) for i in (1, 2, 3, 4)
        ]


async def test_cron_args_come_from_schedule_not_from_cron(app: Jobify) -> None:
    got: list[tuple[int, int]] = []

    @app.task
    async def f(a: int = 0, b: int = 0) -> None:
        got.append((a, b))

    async with app:
        cron = Cron("0.02", max_runs=1, args=(1,), kwargs={"b": 2})
        job = await f.schedule(5, b=6).cron(cron, job_id="x")
        await until_done(job, 1)
        job = await f.schedule().cron(cron, job_id="y")
        await until_done(job, 1)
    assert got == [(5, 6), (0, 0)]


async def test_cron_needs_a_job_id(app: Jobify) -> None:
    @app.task
    async def f() -> None:
        return None

    async with app:
        with pytest.raises(TypeError, match="job_id"):
            await f.schedule().cron("1")  # type: ignore[call-arg]
        with pytest.raises(ValueError, match="job_id"):
            await f.schedule().cron("1", job_id="")
        with pytest.raises(TypeError, match="cron"):
            await f.schedule().cron(5, job_id="n")  # type: ignore[arg-type]


async def test_the_parser_sees_the_app_timezone(cron_factory: Any) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    app = Jobify(storage=False, cron_factory=cron_factory, tz=tokyo)

    @app.task
    async def f() -> None:
        return None

    async with app:
        job = await f.schedule().cron("10", job_id="tz")
        assert cron_factory.nows[-1].tzinfo is tokyo
        assert job.exec_at.tzinfo is tokyo
        await job.cancel()


# --- @task(cron=...) ------------------------------------------------------------------------


async def test_declared_cron_starts_at_startup(app: Jobify, cron_factory: Any) -> None:
    got: list[tuple[int, int]] = []

    @app.task(cron=Cron("0.02", max_runs=2, args=(1,), kwargs={"b": 2}))
    async def with_args(a: int, b: int = 0) -> None:
        got.append((a, b))

    @app.task(cron="30")
    async def plain() -> None:
        return None

    assert cron_factory.expressions == ["0.02", "30"]  # checked at decoration
    async with app:
        job_id = f"{with_args.name}{CRON_SUFFIX}"
        job = app.find_job(job_id)
        assert job is not None
        assert job.cron_expression == "0.02"
        plain_job = app.find_job(f"{plain.name}{CRON_SUFFIX}")
        assert plain_job is not None
        assert plain_job.cron_expression == "30"
        assert {j.id for j in app.get_active_jobs()} == {job_id, plain_job.id}
        await until_done(job, 2)
        assert got == [(1, 2), (1, 2)]
        assert plain_job.status is JobStatus.SCHEDULED


async def test_declared_cron_whose_arguments_do_not_bind_fails_startup(app: Jobify) -> None:
    @app.task(cron="1")
    async def needs_x(x: int) -> None:
        return None

    with pytest.raises(TypeError, match="missing a required argument: 'x'"):
        await app.startup()
    assert not app.configs.app_started
    assert app.get_active_jobs() == []
    with pytest.raises(ApplicationStateError):
        await needs_x.push(1)


def test_invalid_expression_fails_at_decoration_naming_it(app: Jobify) -> None:
    with pytest.raises(ValueError, match="'bad'") as info:

        @app.task(cron="bad")
        async def f() -> None:
            return None

    assert "not a number of seconds" in str(info.value)  # the parser's own message is kept
    with pytest.raises(ValueError, match="'-1'"):
        app.task(cron=Cron("-1"))(lambda: None)
    assert list(app.routes) == []


async def test_invalid_expression_at_schedule_time(app: Jobify) -> None:
    @app.task
    async def f() -> None:
        return None

    async with app:
        with pytest.raises(ValueError, match="'nope'"):
            await f.schedule().cron("nope", job_id="bad")
        assert app.find_job("bad") is None


# --- duplicates and replace -------------------------------------------------------------------


async def test_duplicate_cron_id(app: Jobify) -> None:
    @app.task
    async def f() -> None:
        return None

    async with app:
        job = await f.schedule().cron("10", job_id="dup")
        with pytest.raises(DuplicateJobError):
            await f.schedule().cron("10", job_id="dup")
        with pytest.raises(DuplicateJobError):
            await f.schedule().cron("20", job_id="dup", force=True)
        with pytest.raises(DuplicateJobError):
            await f.schedule().delay(1, job_id="dup")
        assert app.find_job("dup") is job
        assert job.cron_expression == "10"


async def test_replace_with_the_same_cron_keeps_the_job(app: Jobify, cron_factory: Any) -> None:
    @app.task
    async def f() -> None:
        return None

    async with app:
        job = await f.schedule().cron(Cron("10"), job_id="same")
        exec_at = job.exec_at
        again = await f.schedule().cron(Cron("10"), job_id="same", replace=True)
        assert again is job
        assert job.exec_at == exec_at
        assert job.status is JobStatus.SCHEDULED
        assert app.find_job("same") is job


async def test_replace_with_another_cron_moves_the_same_job(app: Jobify) -> None:
    runs: list[str] = []

    @app.task
    async def f(ctx: JobContext = INJECT) -> None:
        runs.append(ctx.job.cron_expression or "")

    async with app:
        job = await f.schedule().cron(Cron("0.03", max_runs=3), job_id="mv")
        while not runs:
            await asyncio.sleep(0.005)
        moved = await f.schedule().cron(Cron("0.02", max_runs=3), job_id="mv", replace=True)
        assert moved is job
        assert job.cron_expression == "0.02"
        assert app.find_job("mv") is job
        assert len(app.get_active_jobs()) == 1
        await until_done(job, 2)
    # the run count carried over: 3 runs in all, the later ones on the new schedule
    assert runs == ["0.03", "0.02", "0.02"]
    assert job.status is JobStatus.SUCCESS


# --- resolve_misfire ---------------------------------------------------------------------------


class Step:
    """A parser for the unit tests: every ``step`` after ``now``."""

    def __init__(self, seconds: float) -> None:
        self.step = timedelta(seconds=seconds)
        self.nows: list[datetime] = []

    def next_run(self, *, now: datetime) -> datetime:
        self.nows.append(now)
        return now + self.step


NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "policy",
    [
        MisfirePolicy.ALL,
        MisfirePolicy.ONCE,
        MisfirePolicy.SKIP,
        GracePolicy(timedelta(seconds=1)),
    ],
)
def test_resolve_misfire_keeps_a_run_that_is_not_late(policy: Any) -> None:
    parser = Step(10)
    for planned in (NOW, NOW + timedelta(seconds=5)):
        assert resolve_misfire(policy, planned=planned, now=NOW, parser=parser) == planned
    assert parser.nows == []


def test_resolve_misfire_all_runs_each_missed_run() -> None:
    parser = Step(10)
    planned = NOW - timedelta(minutes=5)
    assert resolve_misfire(MisfirePolicy.ALL, planned=planned, now=NOW, parser=parser) == planned
    assert parser.nows == []


def test_resolve_misfire_once_runs_now() -> None:
    parser = Step(10)
    planned = NOW - timedelta(minutes=5)
    assert resolve_misfire(MisfirePolicy.ONCE, planned=planned, now=NOW, parser=parser) == NOW
    assert parser.nows == []


def test_resolve_misfire_skip_goes_to_the_next_future_run() -> None:
    parser = Step(10)
    planned = NOW - timedelta(minutes=5)
    got = resolve_misfire(MisfirePolicy.SKIP, planned=planned, now=NOW, parser=parser)
    assert got == NOW + timedelta(seconds=10)
    assert parser.nows == [NOW]


def test_resolve_misfire_grace_runs_missed_runs_inside_the_window() -> None:
    parser = Step(10)
    grace = GracePolicy(timedelta(seconds=30))
    # a run late by less than the grace period runs (at its planned time, like ALL)
    inside = NOW - timedelta(seconds=20)
    assert resolve_misfire(grace, planned=inside, now=NOW, parser=parser) == inside
    on_edge = NOW - timedelta(seconds=30)
    assert resolve_misfire(grace, planned=on_edge, now=NOW, parser=parser) == on_edge
    assert parser.nows == []
    # an older run is dropped: the schedule resumes with the first run inside the window
    outside = NOW - timedelta(minutes=5)
    got = resolve_misfire(grace, planned=outside, now=NOW, parser=parser)
    assert parser.nows == [NOW - timedelta(seconds=30)]
    assert got == NOW - timedelta(seconds=20)


def test_resolve_misfire_grace_without_a_run_in_the_window_waits_for_the_next() -> None:
    parser = Step(60)
    grace = MisfirePolicy.GRACE(timedelta(seconds=10))
    got = resolve_misfire(grace, planned=NOW - timedelta(minutes=5), now=NOW, parser=parser)
    assert got == NOW + timedelta(seconds=50)
    assert got > NOW


async def test_a_cron_job_can_cancel_itself(app: Jobify) -> None:
    runs: list[int] = []

    @app.task
    async def tick(ctx: JobContext = INJECT) -> None:
        runs.append(1)
        if len(runs) == 2:
            await ctx.job.cancel()

    async with app:
        job = await tick.schedule().cron("0.02", job_id="self")
        await until_done(job, 1)
        assert job.status is JobStatus.CANCELLED
        await asyncio.sleep(0.06)
        assert runs == [1, 1]  # not rescheduled after cancelling itself
        assert app.find_job("self") is None


async def test_declared_cron_of_a_prefixed_router_task(app: Jobify) -> None:
    router = JobRouter(prefix="r")

    @router.task(name="beat", cron="30")
    async def beat() -> None:
        return None

    app.include_router(router)
    async with app:
        assert [j.id for j in app.get_active_jobs()] == [f"r:beat{CRON_SUFFIX}"]
