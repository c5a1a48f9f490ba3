"""The middleware pipeline: user middleware, retry, exception handlers and timeout."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from jobify import (
    INJECT,
    JobContext,
    Jobify,
    JobRouter,
    JobStatus,
    OuterContext,
    SmartRetry,
)
from jobify.exceptions import JobFailedError, JobNotCompletedError, JobTimeoutError
from jobify.middleware import BaseMiddleware, BaseOuterMiddleware, CallNext, CallNextOuter


def tiny_retry(n: int, **kwargs: Any) -> SmartRetry:
    return SmartRetry(n, initial_delay=0.001, max_delay=0.005, jitter=False, **kwargs)


class Recorder(BaseMiddleware):
    def __init__(self, label: str, log: list[str]) -> None:
        self.label = label
        self.log = log

    async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
        self.log.append(f"{self.label}>")
        try:
            return await call_next(context)
        finally:
            self.log.append(f"<{self.label}")


# --- inner middleware -----------------------------------------------------------------------


async def test_middleware_order(cron_factory: Any) -> None:
    log: list[str] = []
    app = Jobify(
        storage=False,
        cron_factory=cron_factory,
        middleware=[Recorder("app1", log), Recorder("app2", log)],
    )
    router = JobRouter(middleware=[Recorder("r1", log)])
    sub = JobRouter(middleware=[Recorder("sub", log)])
    router.include_router(sub)

    @sub.task
    async def f() -> str:
        log.append("FUNC")
        return "ok"

    app.include_router(router)
    app.add_middleware(Recorder("app-added", log))  # added after the include: still app level
    router.add_middleware(Recorder("r2", log))

    async with app:
        job = await f.push()
        await job.wait()
    assert job.result() == "ok"
    assert log == [
        "app1>", "app2>", "app-added>", "r1>", "r2>", "sub>", "FUNC",
        "<sub", "<r2", "<r1", "<app-added", "<app2", "<app1",
    ]  # fmt: skip


async def test_middleware_sees_a_running_job_and_can_change_the_result(app: Jobify) -> None:
    seen: list[JobStatus] = []

    class Double(BaseMiddleware):
        async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
            seen.append(context.job.status)
            result = await call_next(context)
            seen.append(context.job.status)
            return result * 2

    app.add_middleware(Double())

    @app.task
    async def f(x: int) -> int:
        return x

    async with app:
        job = await f.push(21)
        await job.wait()
    assert job.result() == 42
    assert seen == [JobStatus.RUNNING, JobStatus.RUNNING]


async def test_middleware_that_skips_call_next_sets_its_value(app: Jobify) -> None:
    calls: list[int] = []

    class Skip(BaseMiddleware):
        async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
            return "skipped"

    app.add_middleware(Skip())

    @app.task
    async def f() -> str:
        calls.append(1)
        return "ran"

    async with app:
        job = await f.push()
        await job.wait()
    assert job.status is JobStatus.SUCCESS
    assert job.result() == "skipped"
    assert calls == []


async def test_middleware_passes_request_state_to_the_task(app: Jobify) -> None:
    class Tag(BaseMiddleware):
        async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
            context.request_state.tag = "from-middleware"
            return await call_next(context)

    app.add_middleware(Tag())

    @app.task
    async def f(ctx: JobContext = INJECT) -> str:
        return ctx.request_state.tag

    async with app:
        job = await f.push()
        await job.wait()
    assert job.result() == "from-middleware"


async def test_middleware_sees_the_final_exception_once_and_can_swallow_it(
    app: Jobify,
) -> None:
    seen: list[BaseException] = []
    calls: list[int] = []

    class Swallow(BaseMiddleware):
        async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
            try:
                return await call_next(context)
            except ValueError as exc:
                seen.append(exc)
                return "swallowed"

    app.add_middleware(Swallow())

    @app.task(retry=tiny_retry(2))
    async def f() -> None:
        calls.append(1)
        raise ValueError(len(calls))

    async with app:
        job = await f.push()
        await job.wait()
    assert calls == [1, 1, 1]  # retries happen inside the middleware
    assert [str(e) for e in seen] == ["3"]
    assert job.status is JobStatus.SUCCESS
    assert job.result() == "swallowed"


async def test_sync_middleware_returning_the_awaitable_works(app: Jobify) -> None:
    class Passthrough:
        def __call__(self, call_next: CallNext, context: JobContext) -> Any:
            return call_next(context)

    app.add_middleware(Passthrough())  # type: ignore[arg-type]

    @app.task
    async def f() -> int:
        return 5

    async with app:
        job = await f.push()
        await job.wait()
    assert job.result() == 5


# --- outer middleware -------------------------------------------------------------------------


async def test_outer_middleware_sees_pending_then_scheduled(cron_factory: Any) -> None:
    log: list[tuple[str, Any]] = []

    class Watch(BaseOuterMiddleware):
        def __init__(self, label: str) -> None:
            self.label = label

        async def __call__(self, call_next: CallNextOuter, context: OuterContext) -> Any:
            log.append((self.label, context.job.status))
            handle = await call_next(context)
            log.append((self.label, context.job.status))
            assert isinstance(handle, asyncio.Handle)
            return handle

    app = Jobify(storage=False, cron_factory=cron_factory, outer_middleware=[Watch("app")])
    router = JobRouter(outer_middleware=[Watch("router")])
    contexts: list[OuterContext] = []

    class Grab(BaseOuterMiddleware):
        async def __call__(self, call_next: CallNextOuter, context: OuterContext) -> Any:
            contexts.append(context)
            return await call_next(context)

    router.add_outer_middleware(Grab())

    @router.task(metadata={"k": 1})
    async def f(x: int, y: int = 2) -> int:
        return x + y

    app.include_router(router)
    async with app:
        job = await f.push(1)
        assert job.status is JobStatus.SCHEDULED
        await job.wait()
        assert job.result() == 3
        delayed = await f.schedule(5).delay(0, job_id="D")
        await delayed.wait()
    assert log[:4] == [
        ("app", JobStatus.PENDING),
        ("router", JobStatus.PENDING),
        ("router", JobStatus.SCHEDULED),
        ("app", JobStatus.SCHEDULED),
    ]
    assert len(log) == 8
    first = contexts[0]
    assert first.job is job
    assert first.arguments == {"x": 1}  # only what was passed explicitly
    assert first.route_options == {"metadata": {"k": 1}}
    assert first.is_persist is False  # storage is off
    assert first.app is app
    assert contexts[1].job.id == "D"


async def test_outer_middleware_that_skips_call_next_leaves_the_job_pending_and_done(
    app: Jobify,
) -> None:
    calls: list[int] = []

    class Veto(BaseOuterMiddleware):
        async def __call__(self, call_next: CallNextOuter, context: OuterContext) -> Any:
            return None

    app.add_outer_middleware(Veto())

    @app.task
    async def f() -> None:
        calls.append(1)

    async with app:
        job = await f.push()
        assert job.status is JobStatus.PENDING
        assert job.is_done()  # as in jobify 0.14: never scheduled, so nothing to wait for
        await asyncio.wait_for(job.wait(), 1)
        assert app.find_job(job.id) is None
        assert app.get_active_jobs() == []
        later = await f.schedule().delay(0, job_id="vetoed")
        assert later.status is JobStatus.PENDING
        await asyncio.sleep(0.05)
        assert calls == []
        assert job.status is JobStatus.PENDING
        await asyncio.wait_for(app.wait_all(), 0.5)


async def test_outer_middleware_error_propagates_and_leaves_no_job(app: Jobify) -> None:
    class Refuse(BaseOuterMiddleware):
        async def __call__(self, call_next: CallNextOuter, context: OuterContext) -> Any:
            msg = "refused"
            raise PermissionError(msg)

    app.add_outer_middleware(Refuse())

    @app.task
    async def f() -> None:
        return None

    async with app:
        with pytest.raises(PermissionError, match="refused"):
            await f.schedule().push(job_id="x")
        assert app.find_job("x") is None
        # the id is free again
        with pytest.raises(PermissionError):
            await f.schedule().push(job_id="x")


# --- retry --------------------------------------------------------------------------------------


async def test_retry_int_counts_attempts_and_ends_failed(app: Jobify) -> None:
    calls: list[int] = []

    @app.task(retry=tiny_retry(3))
    async def always() -> None:
        calls.append(1)
        msg = f"attempt {len(calls)}"
        raise ValueError(msg)

    async with app:
        job = await always.push()
        await asyncio.wait_for(job.wait(), 1)
    assert len(calls) == 4  # 1 + 3 retries
    assert job.status is JobStatus.FAILED
    assert str(job.exception) == "attempt 4"
    with pytest.raises(JobFailedError):
        job.result()


async def test_retry_as_an_int_option(app: Jobify) -> None:
    calls: list[int] = []

    @app.task(retry=0)
    async def once() -> None:
        calls.append(1)
        raise ValueError

    async with app:
        job = await once.push()
        await job.wait()
    assert calls == [1]
    assert job.status is JobStatus.FAILED


async def test_flaky_task_succeeds_after_retries(app: Jobify) -> None:
    calls: list[int] = []

    @app.task(retry=tiny_retry(5))
    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError
        return "finally"

    async with app:
        job = await flaky.push()
        await asyncio.wait_for(job.wait(), 1)
    assert len(calls) == 3
    assert job.status is JobStatus.SUCCESS
    assert job.result() == "finally"


async def test_retry_waits_between_attempts(app: Jobify) -> None:
    stamps: list[float] = []

    @app.task(retry=SmartRetry(2, initial_delay=0.03, backoff_factor=2, jitter=False))
    async def f() -> None:
        stamps.append(asyncio.get_running_loop().time())
        raise ValueError

    async with app:
        job = await f.push()
        await asyncio.wait_for(job.wait(), 1)
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert len(gaps) == 2
    assert gaps[0] >= 0.025
    assert gaps[1] >= 0.055


@pytest.mark.parametrize(
    ("policy", "expected_calls"),
    [
        (tiny_retry(3, include_exceptions=(KeyError,)), 1),
        (tiny_retry(3, include_exceptions=(LookupError, ValueError)), 4),
        (tiny_retry(3, exclude_exceptions=(ValueError,)), 1),
        (tiny_retry(3, exclude_exceptions=(KeyError,)), 4),
    ],
)
async def test_retry_include_and_exclude(
    app: Jobify, policy: SmartRetry, expected_calls: int
) -> None:
    calls: list[int] = []

    @app.task(retry=policy)
    async def f() -> None:
        calls.append(1)
        raise ValueError

    async with app:
        job = await f.push()
        await asyncio.wait_for(job.wait(), 1)
    assert len(calls) == expected_calls
    assert job.status is JobStatus.FAILED
    assert isinstance(job.exception, ValueError)


async def test_retry_applies_to_timeouts(app: Jobify) -> None:
    calls: list[int] = []

    @app.task(retry=tiny_retry(2), timeout=0.03)
    async def slow() -> None:
        calls.append(1)
        await asyncio.sleep(1)

    async with app:
        job = await slow.push()
        await asyncio.wait_for(job.wait(), 1)
    assert len(calls) == 3
    assert job.status is JobStatus.TIMEOUT
    assert isinstance(job.exception, JobTimeoutError)


# --- timeout --------------------------------------------------------------------------------------


async def test_timeout(app: Jobify) -> None:
    @app.task(timeout=0.05)
    async def slow() -> None:
        await asyncio.sleep(1)

    @app.task(timeout=1)
    async def quick() -> str:
        return "in time"

    async with app:
        loop = asyncio.get_running_loop()
        start = loop.time()
        job = await slow.push()
        await asyncio.wait_for(job.wait(), 1)
        assert 0.04 <= loop.time() - start < 0.5
        fast = await quick.push()
        await fast.wait()
    assert job.status is JobStatus.TIMEOUT
    assert isinstance(job.exception, JobTimeoutError)
    assert job.exception.job_id == job.id
    assert job.exception.timeout == 0.05
    with pytest.raises(JobNotCompletedError):
        job.result()
    assert fast.result() == "in time"


async def test_timeout_of_a_sync_task(app: Jobify) -> None:
    finished = threading.Event()

    @app.task(timeout=0.02)
    def blocking() -> None:
        time.sleep(0.1)
        finished.set()

    async with app:
        job = await blocking.push()
        await asyncio.wait_for(job.wait(), 1)
        assert job.status is JobStatus.TIMEOUT
        assert not finished.is_set()  # the thread cannot be stopped; the job does not wait
        await asyncio.to_thread(finished.wait, 1)


async def test_a_timeout_error_raised_by_the_task_is_a_failure(app: Jobify) -> None:
    @app.task(timeout=5)
    async def f() -> None:
        raise TimeoutError("from the task itself")

    async with app:
        job = await f.push()
        await job.wait()
    assert job.status is JobStatus.FAILED
    assert isinstance(job.exception, TimeoutError)
    assert not isinstance(job.exception, JobTimeoutError)


# --- exception handlers ------------------------------------------------------------------------


class MyError(ValueError):
    pass


async def test_handler_value_becomes_the_result(app: Jobify) -> None:
    seen: list[tuple[BaseException, JobStatus]] = []

    def handler(exc: BaseException, ctx: JobContext) -> str:
        seen.append((exc, ctx.job.status))
        return f"handled {exc}"

    @app.task(exception_handlers={ValueError: handler})
    async def f() -> None:
        raise ValueError("boom")

    async with app:
        job = await f.push()
        await job.wait()
    assert job.status is JobStatus.SUCCESS
    assert job.result() == "handled boom"
    assert job.exception is None
    assert seen[0][1] is JobStatus.RUNNING
    assert str(seen[0][0]) == "boom"


async def test_async_handler_and_none_result(app: Jobify) -> None:
    async def handler(exc: BaseException, ctx: JobContext) -> None:
        await asyncio.sleep(0)

    app.add_exception_handler(KeyError, handler)

    @app.task
    async def f() -> str:
        raise KeyError("k")

    async with app:
        job = await f.push()
        await job.wait()
    assert job.status is JobStatus.SUCCESS
    assert job.result() is None


async def test_handler_raising_fails_the_job(app: Jobify) -> None:
    def handler(exc: BaseException, ctx: JobContext) -> None:
        msg = "handler failed"
        raise RuntimeError(msg)

    @app.task(exception_handlers={ValueError: handler})
    async def f() -> None:
        raise ValueError("original")

    async with app:
        job = await f.push()
        await job.wait()
    assert job.status is JobStatus.FAILED
    assert isinstance(job.exception, RuntimeError)
    assert str(job.exception) == "handler failed"
    assert isinstance(job.exception.__context__, ValueError)


async def test_unhandled_exception_type_is_a_normal_failure(app: Jobify) -> None:
    @app.task(exception_handlers={KeyError: lambda exc, ctx: "nope"})
    async def f() -> None:
        raise ValueError("plain")

    async with app:
        job = await f.push()
        await job.wait()
    assert job.status is JobStatus.FAILED
    assert isinstance(job.exception, ValueError)


def tag(label: str) -> Any:
    def handler(exc: BaseException, ctx: JobContext) -> str:
        return label

    return handler


@pytest.mark.parametrize(
    ("app_h", "router_h", "task_h", "raised", "expected"),
    [
        # the three levels are merged into one mapping; then the MRO is walked
        ({ValueError: tag("app")}, {}, {Exception: tag("task")}, ValueError, "app"),
        ({}, {}, {ValueError: tag("A"), MyError: tag("B")}, MyError, "B"),
        ({ValueError: tag("app")}, {}, {}, MyError, "app"),
        # for the same class, task beats router beats app
        ({ValueError: tag("app")}, {ValueError: tag("router")}, {}, ValueError, "router"),
        (
            {ValueError: tag("app")},
            {ValueError: tag("router")},
            {ValueError: tag("task")},
            ValueError,
            "task",
        ),
        ({Exception: tag("app")}, {ValueError: tag("router")}, {}, MyError, "router"),
        ({MyError: tag("app")}, {ValueError: tag("router")}, {}, MyError, "app"),
        ({Exception: tag("app")}, {KeyError: tag("router")}, {}, ValueError, "app"),
    ],
)
async def test_handler_lookup_merges_levels_then_walks_the_mro(
    cron_factory: Any,
    app_h: dict[type[BaseException], Any],
    router_h: dict[type[BaseException], Any],
    task_h: dict[type[BaseException], Any],
    raised: type[Exception],
    expected: str,
) -> None:
    app = Jobify(storage=False, cron_factory=cron_factory, exception_handlers=app_h)
    router = JobRouter(exception_handlers=router_h)

    @router.task(exception_handlers=task_h)
    async def f() -> None:
        raise raised

    app.include_router(router)
    async with app:
        job = await f.push()
        await job.wait()
    assert job.status is JobStatus.SUCCESS
    assert job.result() == expected


async def test_handler_catches_a_timeout(app: Jobify) -> None:
    @app.task(timeout=0.03, exception_handlers={JobTimeoutError: lambda exc, ctx: "late"})
    async def slow() -> None:
        await asyncio.sleep(1)

    async with app:
        job = await slow.push()
        await asyncio.wait_for(job.wait(), 1)
    assert job.status is JobStatus.SUCCESS
    assert job.result() == "late"


async def test_handled_exception_is_not_retried(app: Jobify) -> None:
    calls: list[int] = []

    @app.task(retry=tiny_retry(3), exception_handlers={ValueError: lambda exc, ctx: "handled"})
    async def f() -> None:
        calls.append(1)
        raise ValueError

    async with app:
        job = await f.push()
        await job.wait()
    assert calls == [1]
    assert job.result() == "handled"


# --- BaseException ------------------------------------------------------------------------------


class Abort(BaseException):
    pass


async def test_base_exception_from_a_task_fails_the_job_and_the_app_keeps_serving(
    app: Jobify,
) -> None:
    @app.task
    async def aborting() -> None:
        raise Abort("stop")

    @app.task
    def sync_aborting() -> None:
        raise Abort("sync stop")

    @app.task
    async def fine() -> str:
        return "still here"

    async with app:
        job = await aborting.push()
        await asyncio.wait_for(job.wait(), 1)
        sync_job = await sync_aborting.push()
        await asyncio.wait_for(sync_job.wait(), 1)
        after = await fine.push()
        await asyncio.wait_for(after.wait(), 1)
    for failed, text in ((job, "stop"), (sync_job, "sync stop")):
        assert failed.status is JobStatus.FAILED
        assert isinstance(failed.exception, Exception)
        assert isinstance(failed.exception.__cause__, Abort)
        assert text in str(failed.exception)
        with pytest.raises(JobFailedError):
            failed.result()
    assert after.result() == "still here"
