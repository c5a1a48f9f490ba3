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
from typing import Any, Protocol, TypeAlias

from jobify._assembly.seed import seed_getattr, seed_names
from jobify._kernel.context import JobContext, OuterContext

__all__ = (
    "BaseMiddleware",
    "BaseOuterMiddleware",
    "CallNext",
    "CallNextOuter",
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


def __getattr__(name: str) -> Any:
    return seed_getattr(__name__, name)
