"""What an app starts and stops besides its rooms: extensions, lifespans, plugin objects.

At startup, in this order: the plugin distributions' ``jobify_startup`` hooks,
middleware that has ``startup``/``shutdown``, ``Plugin`` objects (before the
lifespans, as in jobify 0.14), then the lifespans, the app's first and its
routers' after. Everything entered is left in reverse order, through the app's
exit stack, except ``Plugin`` objects, which stop first (as in 0.14).
"""

from __future__ import annotations

import contextlib
import inspect
from typing import TYPE_CHECKING, Any

from jobify.middleware import DrainingMiddleware, ManagedMiddleware

if TYPE_CHECKING:
    from collections.abc import Callable

    from jobify._kernel.app import Jobify
    from jobify._kernel.configuration import Plugin
    from jobify._kernel.routers import Router

__all__ = ("drain", "enter_lifespans", "start_extensions", "stop_plugins")


async def start_extensions(
    app: Jobify, stack: contextlib.AsyncExitStack
) -> list[DrainingMiddleware]:
    """Plugin distributions' startup hooks, then middleware that has a lifecycle.

    Returns the middleware that can drain what it holds, for shutdown.
    """
    for func in app.assembly.on_startup:
        await _maybe_await(func(app=app))
    for func in app.assembly.on_shutdown[::-1]:
        stack.push_async_callback(_call_async, func, app)
    draining: list[DrainingMiddleware] = []
    for mw in _all_middleware(app):
        if isinstance(mw, ManagedMiddleware):
            await mw.startup(app)
            stack.push_async_callback(mw.shutdown)
        if isinstance(mw, DrainingMiddleware):
            draining.append(mw)
    return draining


async def drain(draining: list[DrainingMiddleware]) -> None:
    """Let each middleware that holds executions run them (at shutdown)."""
    for mw in draining:
        await mw.drain()


def _all_middleware(app: Jobify) -> list[Any]:
    """Middleware of the app and of every included router, each once, app first."""
    found: list[Any] = []
    pending: list[Router] = [app]
    while pending:
        router = pending.pop(0)
        for mw in (*router.middleware, *router.outer_middleware):
            if not any(mw is seen for seen in found):
                found.append(mw)
        pending.extend(router.sub_routers)
    return found


async def enter_lifespans(stack: contextlib.AsyncExitStack, router: Router) -> None:
    """Enter ``router``'s lifespan, then its sub-routers'; what one yields updates its state."""
    if router.lifespan is not None:
        value: Any = await stack.enter_async_context(router.lifespan(router))
        if value is not None:  # a mapping or pairs update the state (TypeError otherwise)
            router.state.update(value)
    for sub in router.sub_routers:
        await enter_lifespans(stack, sub)


async def stop_plugins(started: list[Plugin]) -> None:
    """``Plugin.shutdown()`` of the ``started`` plugins, last first; raises the first error."""
    error: BaseException | None = None
    while started:
        plug = started.pop()
        try:
            await plug.shutdown()
        except BaseException as exc:  # the others still stop
            error = error or exc
    if error is not None:
        raise error


async def _maybe_await(value: Any) -> None:
    if inspect.isawaitable(value):
        await value


async def _call_async(func: Callable[..., Any], app: Jobify) -> None:
    await _maybe_await(func(app=app))
