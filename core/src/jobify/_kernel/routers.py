"""Routers: containers of tasks and sub-routers, sharing middleware, handlers and a prefix.

``Jobify`` is the root router; a :class:`JobRouter` groups the tasks of one
part of a large app (as FastAPI's ``APIRouter`` does) and is included in the
app, directly or through other routers. ``@router.task`` checks a task's
options where it is declared.
"""

from __future__ import annotations

import functools
import sys
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from jobify._kernel.pipeline import retry_policy
from jobify._kernel.routes import NodeRoute, Route
from jobify._kernel.state import State
from jobify._kernel.values import Cron, RunMode
from jobify.exceptions import RouteAlreadyRegisteredError

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from jobify._kernel.app import Jobify
    from jobify._kernel.context import RouteOptions
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware

__all__ = (
    "OPTION_NAMES",
    "JobRouter",
    "Lifespan",
    "MappingExceptionHandlers",
    "Router",
    "TaskRegistrator",
    "check_exception_handlers",
    "check_options",
    "default_route_name",
)

ParamsT = ParamSpec("ParamsT")
ReturnT = TypeVar("ReturnT")

Lifespan = Callable[[Any], "AbstractAsyncContextManager[Any]"]
MappingExceptionHandlers = Mapping[type[BaseException], Callable[..., Any]]

OPTION_NAMES = (
    "name", "cron", "retry", "timeout", "durable", "run_mode", "exception_handlers", "metadata",
)  # fmt: skip


def default_route_name(func: Callable[..., Any]) -> str:
    """``module:qualname``; a script run as ``__main__`` uses its file's stem.

    A ``functools.partial`` is named after the function it wraps, a callable
    object after its class.
    """
    while isinstance(func, functools.partial):
        func = func.func
    if not hasattr(func, "__qualname__"):
        func = type(func)
    module = getattr(func, "__module__", None) or "__main__"
    if module == "__main__":
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
        if main_file:
            module = Path(main_file).stem
    qualname = getattr(func, "__qualname__", None) or getattr(func, "__name__", "task")
    if qualname == "<lambda>":
        qualname = f"lambda_{uuid.uuid4().hex}"
    return f"{module}:{qualname}"


def check_options(func: Callable[..., Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``@task(...)`` options, returning them with ``retry`` normalised."""
    where = f"@task on {getattr(func, '__qualname__', func)!r}"
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        msg = (
            f"{where}: unknown option(s) {', '.join(map(repr, unknown))}; valid options are "
            f"{', '.join(OPTION_NAMES)}"
        )
        raise TypeError(msg)
    out = dict(options)
    if "name" in out and (not isinstance(out["name"], str) or not out["name"]):
        msg = f"{where}: name must be a non-empty string, got {out['name']!r}"
        raise ValueError(msg)
    if "retry" in out:
        retry = out["retry"]
        # retry=True / False: one retry / none, as 0.14 reads them (bool is an int)
        out["retry"] = retry_policy(int(retry) if isinstance(retry, bool) else retry)
    if out.get("timeout") is not None:  # timeout=None: no timeout, the default
        t = out["timeout"]
        if isinstance(t, bool) or not isinstance(t, int | float) or not t > 0:
            msg = f"{where}: timeout must be a number of seconds > 0 (or None), got {t!r}"
            raise ValueError(msg)
    if "durable" in out and not isinstance(out["durable"], bool):
        msg = f"{where}: durable must be True or False, got {out['durable']!r}"
        raise TypeError(msg)
    if "run_mode" in out:
        try:
            out["run_mode"] = RunMode(out["run_mode"])
        except ValueError:
            msg = (
                f"{where}: run_mode must be one of {', '.join(m.value for m in RunMode)}, "
                f"got {out['run_mode']!r}"
            )
            raise ValueError(msg) from None
    if "cron" in out and not isinstance(out["cron"], str | Cron):
        msg = f"{where}: cron must be a cron expression string or Cron(...), got {out['cron']!r}"
        raise TypeError(msg)
    handlers = out.get("exception_handlers")
    if handlers is not None:
        check_exception_handlers(handlers, where)
    if "metadata" in out and not isinstance(out["metadata"], Mapping):
        msg = f"{where}: metadata must be a mapping, got {out['metadata']!r}"
        raise TypeError(msg)
    return out


def check_exception_handlers(handlers: object, where: str) -> None:
    """Check an ``exception_handlers`` mapping of exception classes to callables."""
    if not isinstance(handlers, Mapping):
        msg = f"{where}: exception_handlers must be a mapping of exception class to handler"
        raise TypeError(msg)
    for exc, handler in handlers.items():
        if not (isinstance(exc, type) and issubclass(exc, BaseException)):
            msg = f"{where}: exception_handlers key {exc!r} is not an exception class"
            raise TypeError(msg)
        if not callable(handler):
            msg = f"{where}: exception_handlers[{exc.__name__}] = {handler!r} is not callable"
            raise TypeError(msg)


def _declare(
    router: Router, func: Callable[..., Any], options: Mapping[str, Any]
) -> Route[Any, Any]:
    """``@task`` on ``router``: check ``func`` and ``options``, then add the route."""
    if not callable(func):
        msg = f"@task: expected a function, got {func!r}"
        raise TypeError(msg)
    if isinstance(func, Route):  # a task declared again: its function, under its name
        options = {"name": func.name, **options}
        func = func.func
    opts = check_options(func, options)
    name = opts.get("name") or default_route_name(func)
    return router.add_route(name, func, opts)  # type: ignore[arg-type]


class TaskRegistrator:
    """What ``router.task`` returns: a decorator usable bare or with options."""

    __slots__ = ("_router",)

    def __init__(self, router: Router) -> None:
        self._router = router

    @property
    def state(self) -> State:
        """The state of the router (or app) the tasks are declared on."""
        return self._router.state

    @overload
    def __call__(self, func: Callable[ParamsT, ReturnT], /) -> Route[ParamsT, ReturnT]: ...
    @overload
    def __call__(
        self, func: None = None, /, **options: Any
    ) -> Callable[[Callable[ParamsT, ReturnT]], Route[ParamsT, ReturnT]]: ...

    def __call__(self, func: Callable[..., Any] | None = None, /, **options: Any) -> Any:
        """Declare ``func`` as a task (``@router.task`` or ``@router.task(**options)``)."""
        if func is not None:
            return _declare(self._router, func, options)

        def decorator(f: Callable[ParamsT, ReturnT]) -> Route[ParamsT, ReturnT]:
            return _declare(self._router, f, options)

        return decorator


class Router(ABC):
    """A container of tasks and sub-routers with shared middleware and handlers."""

    def __init__(
        self,
        *,
        state: State | None = None,
        prefix: str | None = None,
        lifespan: Lifespan | None = None,
        middleware: Sequence[BaseMiddleware] | None = None,
        outer_middleware: Sequence[BaseOuterMiddleware] | None = None,
        exception_handlers: MappingExceptionHandlers | None = None,
    ) -> None:
        """Set up an empty router."""
        if prefix is not None and (not isinstance(prefix, str) or not prefix):
            msg = f"{type(self).__name__}(prefix=...): expected a non-empty string, got {prefix!r}"
            raise ValueError(msg)
        if state is not None and not isinstance(state, Mapping):
            msg = f"{type(self).__name__}(state=...): expected a State or dict, got {state!r}"
            raise TypeError(msg)
        if exception_handlers is not None:
            check_exception_handlers(exception_handlers, f"{type(self).__name__}(...)")
        # kept as given, as in jobify 0.14 (a dict stays that dict; none: a new State)
        self.state: State = State() if state is None else state
        self.prefix = prefix
        self.lifespan = lifespan
        self._middleware: list[BaseMiddleware] = list(middleware or ())
        self._outer_middleware: list[BaseOuterMiddleware] = list(outer_middleware or ())
        self.exception_handlers: dict[type[BaseException], Callable[..., Any]] = dict(
            exception_handlers or {}
        )
        self._routes: dict[str, Route[Any, Any]] = {}
        self.sub_routers: list[Router] = []
        self.parent: Router | None = None
        self._registrator = TaskRegistrator(self)

    def __repr__(self) -> str:
        prefix = "" if self.prefix is None else f" prefix={self.prefix!r}"
        return f"<{type(self).__name__}{prefix}>"

    @property
    def task(self) -> TaskRegistrator:
        """Declare a task: ``@router.task`` or ``@router.task(name=..., cron=..., ...)``."""
        return self._registrator

    @property
    def routes(self) -> Iterator[Route[Any, Any]]:
        """The tasks declared on this router (once the app runs: as the app knows them).

        As in jobify 0.14, sub-routers' tasks are not included, and a running
        app's ``routes`` lists every task of the app, routers' included.
        """
        for route in self._routes.values():
            if isinstance(route, NodeRoute) and route.is_bound:
                real = route.real_route
                yield real if real.app.configs.app_started else route
            else:
                yield route

    @property
    def own_routes(self) -> tuple[Route[Any, Any], ...]:
        """The tasks declared on this router itself."""
        return tuple(self._routes.values())

    @property
    def middleware(self) -> tuple[BaseMiddleware, ...]:
        """This router's inner middleware, outermost first."""
        return tuple(self._middleware)

    @property
    def outer_middleware(self) -> tuple[BaseOuterMiddleware, ...]:
        """This router's outer middleware, outermost first."""
        return tuple(self._outer_middleware)

    def add_middleware(self, middleware: BaseMiddleware) -> None:
        """Append an inner middleware (it applies from the next app startup)."""
        self._middleware.append(middleware)

    def add_outer_middleware(self, middleware: BaseOuterMiddleware) -> None:
        """Append an outer middleware (it applies from the next app startup)."""
        self._outer_middleware.append(middleware)

    def add_exception_handler(
        self, exc_class: type[BaseException], handler: Callable[..., Any]
    ) -> None:
        """Handle ``exc_class`` (and subclasses) raised by this router's tasks."""
        check_exception_handlers(
            {exc_class: handler}, f"{type(self).__name__}.add_exception_handler"
        )
        self.exception_handlers[exc_class] = handler

    def include_router(self, router: Router) -> None:
        """Include ``router`` (and its tasks) in this one."""
        if router is self:
            msg = "include_router(): a router cannot include itself"
            raise RuntimeError(msg)
        if not isinstance(router, JobRouter):
            msg = f"include_router(): expected a JobRouter, got {router!r}"
            raise TypeError(msg)
        if router.parent is not None:
            msg = (
                f"include_router(): {router!r} is already included in {router.parent!r}; "
                "a router can be included once"
            )
            raise RuntimeError(msg)
        ancestor: Router | None = self
        while ancestor is not None:
            if ancestor is router:
                msg = "include_router(): a router cannot include one of its ancestors"
                raise RuntimeError(msg)
            ancestor = ancestor.parent
        root = self._root()
        if root is not None:
            root.registry.check_open("include a router")
        router.parent = self
        self.sub_routers.append(router)
        if root is not None:
            try:
                root.registry.bind_router(router)
            except BaseException:
                root.registry.unbind_router(router)
                self.sub_routers.remove(router)
                router.parent = None
                raise

    def include_routers(self, *routers: Router) -> None:
        """Include several routers.

        Raises:
            ValueError: no router was given.
        """
        if not routers:
            msg = "include_routers(): pass at least one router"
            raise ValueError(msg)
        for router in routers:
            self.include_router(router)

    def full_prefix(self) -> str:
        """The prefixes of this router and its parents, outermost first, joined with ``.``.

        A task's effective name is ``f"{full_prefix}:{name}"`` (``"p.sub:mod:func"``).
        """
        parts: list[str] = []
        node: Router | None = self
        while node is not None:
            if node.prefix:
                parts.append(node.prefix)
            node = node.parent
        return ".".join(reversed(parts))

    def _root(self) -> Jobify | None:
        node: Router = self
        while node.parent is not None:
            node = node.parent
        from jobify._kernel.app import Jobify

        return node if isinstance(node, Jobify) else None

    @abstractmethod
    def add_route(
        self, name: str, func: Callable[..., Any], options: RouteOptions
    ) -> Route[Any, Any]:
        """Register ``func`` under ``name``."""

    def remove_route(self, name: str) -> None:
        """Forget the task ``name`` of this router.

        Raises:
            KeyError: no task of this router has that name.
        """
        try:
            del self._routes[name]
        except KeyError:
            msg = f"remove_route(): no task named {name!r} in {self!r}"
            raise KeyError(msg) from None


class JobRouter(Router):
    """Router for organizing jobs and sub-routers.

    Tasks declared on it can be scheduled once it is included, directly or
    through other routers, in an app. Its ``prefix`` is prepended to its
    tasks' names (``"billing:module:func"``); its middleware and exception
    handlers apply to its tasks, inside the app's.
    """

    def __init__(
        self,
        *,
        state: State | None = None,
        prefix: str | None = None,
        lifespan: Lifespan | None = None,
        middleware: Sequence[BaseMiddleware] | None = None,
        outer_middleware: Sequence[BaseOuterMiddleware] | None = None,
        exception_handlers: MappingExceptionHandlers | None = None,
        route_class: type[NodeRoute[..., Any]] = NodeRoute,
    ) -> None:
        """Set up a router; see the class docstring."""
        super().__init__(
            state=state,
            prefix=prefix,
            lifespan=lifespan,
            middleware=middleware,
            outer_middleware=outer_middleware,
            exception_handlers=exception_handlers,
        )
        self.route_class = route_class

    def add_route(
        self, name: str, func: Callable[..., Any], options: RouteOptions
    ) -> Route[Any, Any]:
        """Declare ``func`` as a task of this router."""
        if name in self._routes:
            raise RouteAlreadyRegisteredError(name)
        route = self.route_class(name=name, func=func, options=options)
        root = self._root()
        if root is not None:
            root.registry.bind_route(self, route)
        self._routes[name] = route
        return route
