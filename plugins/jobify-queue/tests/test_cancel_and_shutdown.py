"""Cancelling a queued or running job, failures, and what shutdown does with the queue."""

from __future__ import annotations

import asyncio

import pytest

from jobify import INJECT, JobContext, JobStatus, SmartRetry


async def test_cancel_a_queued_job_skips_it(make_app, until):
    app, mw = make_app(workers=1)
    gate = asyncio.Event()
    ran: list[str] = []

    blocked = asyncio.Event()

    @app.task
    async def blocker() -> None:
        blocked.set()
        await gate.wait()

    @app.task
    async def job(tag: str) -> str:
        ran.append(tag)
        return tag

    async with app:
        await blocker.push()
        await blocked.wait()
        a, b, c = [await job.push(t) for t in "abc"]
        await until(lambda: mw.queue.qsize() == 3)
        await b.cancel()
        assert b.status is JobStatus.CANCELLED and b.is_done()
        assert app.find_job(b.id) is None
        gate.set()
        await app.wait_all(timeout=5)
        assert ran == ["a", "c"]
        assert (a.result(), c.result()) == ("a", "c")
        late = await job.push("late")  # the worker survived the skipped item
        await late.wait()
    assert late.result() == "late"


async def test_cancel_a_running_job_stops_it_and_frees_its_worker(make_app, until):
    app, _ = make_app(workers=1)
    started = asyncio.Event()
    seen: list[str] = []

    @app.task
    async def endless() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    @app.task
    async def next_one() -> str:
        seen.append("next")
        return "ok"

    async with app:
        slow = await endless.push()
        after = await next_one.push()
        await started.wait()
        await slow.cancel()
        assert slow.status is JobStatus.CANCELLED
        await asyncio.wait_for(after.wait(), 2)
    assert seen == ["cancelled", "next"]
    assert after.result() == "ok"


async def test_exceptions_reach_the_job(make_app):
    app, _ = make_app(workers=2)
    attempts = 0

    @app.task
    async def boom() -> None:
        raise ValueError("boom")

    @app.task(retry=SmartRetry(2, initial_delay=0.001))
    async def flaky() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise OSError("try again")
        return "third time"

    @app.task(exception_handlers={KeyError: lambda exc, ctx: "handled"})
    async def handled() -> None:
        raise KeyError("x")

    @app.task
    async def fine() -> int:
        return 1

    async with app:
        jobs = [await t.push() for t in (boom, flaky, handled, fine)]
        await app.wait_all(timeout=10)
    failed, retried, rescued, ok = jobs
    assert failed.status is JobStatus.FAILED
    assert isinstance(failed.exception, ValueError) and str(failed.exception) == "boom"
    assert retried.result() == "third time" and attempts == 3
    assert rescued.result() == "handled"
    assert ok.result() == 1


async def test_a_timeout_counts_only_the_run_not_the_wait(make_app, until):
    app, mw = make_app(workers=1)
    gate = asyncio.Event()

    blocked = asyncio.Event()

    @app.task
    async def blocker() -> None:
        blocked.set()
        await gate.wait()

    @app.task(timeout=0.2)
    async def quick() -> str:
        return "in time"

    @app.task(timeout=0.05)
    async def slow() -> None:
        await asyncio.sleep(1)

    async with app:
        await blocker.push()
        await blocked.wait()
        j1 = await quick.push()
        j2 = await slow.push()
        await until(lambda: mw.queue.qsize() == 2)
        await asyncio.sleep(0.3)  # longer than quick's timeout, spent in the queue
        gate.set()
        await app.wait_all(timeout=5)
    assert j1.result() == "in time"
    assert j2.status is JobStatus.TIMEOUT


_OLD_ORDER = (
    "this kernel cancels the jobs before it stops the middleware, so queued jobs end "
    "CANCELLED; QueueMiddleware.drain() runs them once Jobify.shutdown awaits it first"
)
_NEW_ORDER = "the kernel lets the queue drain at shutdown (tested by the drain tests)"


async def test_app_shutdown_runs_the_queued_jobs_as_the_reference_does(make_app, kernel_drains):
    if not kernel_drains:
        pytest.xfail(_OLD_ORDER)
    app, mw = make_app(workers=1)
    events: list[str] = []

    @app.task
    async def work(i: int) -> int:
        events.append(f"start {i}")
        await asyncio.sleep(0.02)
        events.append(f"end {i}")
        return i

    async with asyncio.timeout(5):
        async with app:
            jobs = [await work.push(i) for i in range(3)]
            await asyncio.sleep(0.005)
    assert events == ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]
    assert [j.status for j in jobs] == [JobStatus.SUCCESS] * 3
    assert [j.result() for j in jobs] == [0, 1, 2]


async def test_app_shutdown_waits_for_a_running_job_then_stops_when_cancelled(
    make_app, until, kernel_drains
):
    if not kernel_drains:
        pytest.skip(_OLD_ORDER)
    app, mw = make_app(workers=1)
    before = asyncio.all_tasks()
    started = asyncio.Event()
    seen: list[str] = []

    @app.task
    async def endless() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    await app.startup()
    job = await endless.push()
    await started.wait()
    with pytest.raises(TimeoutError):  # a job that never ends keeps the drain waiting (0.14)
        await asyncio.wait_for(app.shutdown(), 0.1)
    assert seen == ["cancelled"]
    assert job.status is JobStatus.CANCELLED
    assert asyncio.all_tasks() == before


async def test_shutdown_cancels_queued_and_running_jobs_and_leaves_no_task(
    make_app, until, kernel_drains
):
    if kernel_drains:
        pytest.skip(_NEW_ORDER)
    app, mw = make_app(workers=2)
    before = asyncio.all_tasks()
    ran: list[int] = []
    started: list[int] = []
    cancelled: list[int] = []

    @app.task
    async def endless(i: int) -> None:
        started.append(i)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(i)
            raise

    @app.task(metadata={"priority": 1})
    async def queued(i: int) -> None:
        ran.append(i)

    await app.startup()
    running = [await endless.push(i) for i in range(2)]
    await until(lambda: len(started) == 2)
    waiting = [await queued.push(i) for i in range(20)]
    await until(lambda: mw.queue.qsize() == 20)
    await app.shutdown()
    assert sorted(cancelled) == [0, 1]
    assert ran == []
    assert all(j.status is JobStatus.CANCELLED for j in running + waiting)
    assert mw.queue.empty()
    assert asyncio.all_tasks() == before
    assert "stopped" in repr(mw)


async def test_shutdown_waits_for_a_job_that_ignores_its_cancellation(
    make_app, until, kernel_drains
):
    if kernel_drains:
        pytest.skip(_NEW_ORDER)
    app, _ = make_app(workers=1)
    before = asyncio.all_tasks()
    started = asyncio.Event()
    finished: list[str] = []

    @app.task
    async def stubborn() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0.05)  # cleanup that swallows the cancellation
        finished.append("cleanup done")

    await app.startup()
    job = await stubborn.push()
    await started.wait()
    await app.shutdown()
    assert finished == ["cleanup done"]
    assert job.status is JobStatus.CANCELLED
    assert asyncio.all_tasks() == before


async def test_the_app_can_start_again_after_shutdown(make_app):
    app, _ = make_app(workers=2)

    @app.task
    async def job(i: int) -> int:
        return i

    async with app:
        first = await job.push(1)
        await first.wait()
    async with app:
        second = await job.push(2)
        await second.wait()
    assert (first.result(), second.result()) == (1, 2)


async def test_a_job_that_cancels_itself(make_app):
    app, _ = make_app(workers=1)

    @app.task
    async def quitter(context: JobContext = INJECT) -> None:
        await context.job.cancel()

    async with app:
        job = await quitter.push()
        await asyncio.wait_for(job.wait(), 0.2)
        assert job.status is JobStatus.CANCELLED
        assert app.find_job(job.id) is None


async def test_a_job_that_raises_cancelled_error_ends_cancelled(make_app):
    app, _ = make_app(workers=1)

    @app.task
    async def gives_up() -> None:
        raise asyncio.CancelledError

    @app.task
    async def after() -> str:
        return "still served"

    async with app:
        job = await gives_up.push()
        await job.wait()
        later = await after.push()
        await later.wait()
    assert job.status is JobStatus.CANCELLED
    assert later.result() == "still served"
