"""The middleware pipeline: chains built once per task, run once per job.

The inner chain wraps each execution: app middleware, then the middleware of
each router from the outermost in, then the built-in steps that implement
task options — exception handlers, retry and timeout — and finally the task
itself. The outer chain wraps scheduling and ends by persisting the job and
arming its timer. Steps that a task does not use are left out of its chain,
so a plain task pays for nothing it did not ask for.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jobify._kernel.context import JobContext, OuterContext
from jobify._kernel.state import RequestState
from jobify._kernel.values import SmartRetry
from jobify.exceptions import JobTimeoutError

if TYPE_CHECKING:
    from datetime import datetime

    from jobify._kernel.app import Jobify
    from jobify._kernel.job import Job
    from jobify._kernel.triggers import Trigger
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware, CallNext, CallNextOuter

__all__ = (
    "ExceptionHandlers",
    "build_inner_chain",
    "build_outer_chain",
    "observer_middleware",
    "retry_policy",
    "run_outer_chain",
)

log = logging.getLogger("jobify")

ExceptionHandlers = Mapping[type[BaseException], Callable[..., Any]]


def retry_policy(retry: int | SmartRetry | None) -> SmartRetry | None:
    """Normalise the ``retry`` option: an int ``n`` means ``SmartRetry(n)``."""
    if retry is None or isinstance(retry, SmartRetry):
        return retry
    if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
        msg = f"task option retry: expected an int >= 0 or SmartRetry(...), got {retry!r}"
        raise ValueError(msg)
    return SmartRetry(retries=retry)


def _run_task(context: JobContext) -> Awaitable[Any]:
    return context.runnable.run(context)


class _Timeout:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
        cm = asyncio.timeout(self.seconds)
        try:
            async with cm:
                return await call_next(context)
        except TimeoutError:
            if cm.expired():
                raise JobTimeoutError(context.job.id, self.seconds) from None
            raise


class _Retry:
    __slots__ = ("policy",)

    def __init__(self, policy: SmartRetry) -> None:
        self.policy = policy

    async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
        attempt = 0
        policy = self.policy
        while True:
            try:
                return await call_next(context)
            except Exception as exc:
                if not policy.should_retry(exc, attempt):
                    raise
                delay = policy.delay(attempt)
                log.info(
                    "job %s (%s) failed with %r; retry %d/%d in %.3fs",
                    context.job.id, context.runnable.name, exc, attempt + 1,
                    policy.retries, delay,
                )  # fmt: skip
                attempt += 1
                await asyncio.sleep(delay)


class _HandleExceptions:
    """Turn an exception into the job's result through the first matching handler.

    The handlers of app, routers and task are merged into one mapping (the
    task's win for the same class, then the innermost router's); the
    exception's MRO is walked and the first class found picks the handler.
    """

    __slots__ = ("_cache", "handlers")

    def __init__(self, handlers: ExceptionHandlers) -> None:
        self.handlers = dict(handlers)
        self._cache: dict[type[BaseException], Callable[..., Any] | None] = {}

    def lookup(self, exc_type: type[BaseException]) -> Callable[..., Any] | None:
        try:
            return self._cache[exc_type]
        except KeyError:
            pass
        handlers = self.handlers
        found = next((handlers[k] for k in exc_type.__mro__ if k in handlers), None)
        self._cache[exc_type] = found
        return found

    async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
        try:
            return await call_next(context)
        except Exception as exc:
            handler = self.lookup(type(exc))
            if handler is None:
                raise
            result = handler(exc, context)
            if inspect.isawaitable(result):
                result = await result
            return result


def observer_middleware(
    started: Sequence[Callable[..., Any]],
) -> BaseMiddleware:
    """Build the one middleware that calls ``jobify_job_started`` implementations."""

    async def observe(call_next: CallNext, context: JobContext) -> Any:
        for func in started:
            try:
                func(context=context)
            except Exception:
                log.exception("observer %r raised; ignored", func)
        return await call_next(context)

    return observe


def build_inner_chain(
    *,
    middleware: Sequence[BaseMiddleware],
    exception_handlers: ExceptionHandlers,
    retry: SmartRetry | None,
    timeout: float | None,
) -> CallNext:
    """Compose the execution chain of one task, outermost middleware first.

    Order: middleware, retry, exception handlers, timeout, the task. A
    handled exception is therefore not retried, and a timeout is.
    """
    steps: list[Any] = list(middleware)
    if retry is not None and retry.retries > 0:
        steps.append(_Retry(retry))
    if exception_handlers:
        steps.append(_HandleExceptions(exception_handlers))
    if timeout is not None:
        steps.append(_Timeout(timeout))
    chain: CallNext = _run_task
    for step in reversed(steps):
        chain = functools.partial(step, chain)
    return chain


async def _persist_and_arm(context: OuterContext) -> asyncio.Handle:
    if context.is_persist:
        await context.persist_job_hook(context.job.id, context.job.exec_at, context.trigger)
    return context.schedule_hook()


def build_outer_chain(middleware: Sequence[BaseOuterMiddleware]) -> CallNextOuter | None:
    """Compose the scheduling chain; None when there is no outer middleware."""
    if not middleware:
        return None
    chain: CallNextOuter = _persist_and_arm
    for step in reversed(middleware):
        chain = functools.partial(step, chain)
    return chain


async def run_outer_chain(
    outer: CallNextOuter,
    app: Jobify,
    job: Job[Any],
    trigger: Trigger,
    *,
    persist: Callable[[str, datetime, Trigger], Awaitable[None]],
    arm: Callable[[Job[Any]], asyncio.Handle],
    is_replace: bool,
    is_force: bool,
) -> bool:
    """Schedule ``job`` through its task's outer middleware.

    The chain's last step stores the job with ``persist`` (when durable) and
    arms it with ``arm``, returning its ``asyncio.Handle``. False when a
    middleware returned without calling ``call_next``: the job is not scheduled.
    """
    route = job.route
    runnable = job.runnable
    context = OuterContext(
        app=app,
        job=job,
        state=app.state,
        trigger=trigger,
        runnable=runnable,
        arguments=runnable.origin_arguments,
        func_spec=route.func_spec,
        is_force=is_force,
        is_persist=route.is_persist,
        is_replace=is_replace,
        route_options=route.options,
        jobify_config=app.configs,
        request_state=RequestState(),
        persist_job_hook=persist,
        schedule_hook=lambda: arm(job),
        schedule_builder=route.builder_for(runnable),
    )
    return isinstance(await outer(context), asyncio.Handle)
