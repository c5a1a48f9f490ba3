"""Middleware: code around the scheduling of a job (outer) or its execution (inner).

An inner middleware is an object with ``async __call__(call_next, context)``
that runs around every execution of the tasks it applies to; it may change
``context.request_state``, call ``await call_next(context)`` zero or more
times, and return or replace the result. An outer middleware does the same
around scheduling, with an :class:`OuterContext`; not calling ``call_next``
there means the job is not scheduled. App middleware wraps router middleware,
which wraps the built-in exception-handler, retry and timeout steps.

``QueueMiddleware``, ``JobifyQueue`` and ``Item`` come from the
``jobify-queue`` distribution when it is installed.
"""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeAlias, runtime_checkable

from jobify._assembly.seed import seed_getattr, seed_names
from jobify._kernel.context import JobContext, OuterContext

__all__ = (
    "BaseMiddleware",
    "BaseOuterMiddleware",
    "CallNext",
    "CallNextOuter",
    "DrainingMiddleware",
    "ManagedMiddleware",
    *seed_names(__name__),
)  # seed names resolve lazily

# real aliases (not strings), so typing.get_type_hints() works on a middleware's __call__
CallNext: TypeAlias = Callable[[JobContext], Awaitable[Any]]
CallNextOuter: TypeAlias = Callable[[OuterContext], Awaitable[asyncio.Handle]]


class BaseMiddleware(Protocol):
    """Middleware around the execution of a job."""

    @abstractmethod
    async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
        """Run around one execution; return what the job returns."""


class BaseOuterMiddleware(Protocol):
    """Middleware around the scheduling of a job."""

    @abstractmethod
    async def __call__(self, call_next: CallNextOuter, context: OuterContext) -> Any:
        """Run around one scheduling; not calling ``call_next`` skips the job."""


@runtime_checkable
class ManagedMiddleware(Protocol):
    """A middleware with a lifecycle (optional ability): started and stopped with the app.

    The kernel checks it once at startup (``isinstance``): :meth:`startup` runs
    after the storage, before the lifespans; :meth:`shutdown` runs after the
    jobs have stopped, in reverse order.
    """

    async def startup(self, app: Any) -> None:
        """Start (open pools, start workers) for ``app``."""

    async def shutdown(self) -> None:
        """Stop and release what :meth:`startup` took."""


@runtime_checkable
class DrainingMiddleware(Protocol):
    """A middleware that holds executions it has not run yet (optional ability; a queue).

    At shutdown the kernel awaits :meth:`drain` after the timers stop and
    before running jobs get their grace period and are cancelled, so what was
    queued runs (as jobify 0.14 runs it) instead of being cancelled.
    """

    async def drain(self) -> None:
        """Run what is queued and return once it has run."""


def __getattr__(name: str) -> Any:
    return seed_getattr(__name__, name)
