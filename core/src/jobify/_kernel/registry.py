"""The registry: routers, the routes (tasks) they hold, and their binding to the app.

A task declared on the app is a :class:`RootRoute`; one declared on a
:class:`JobRouter` is a :class:`NodeRoute` that becomes bound to a
``RootRoute`` when its router is included, directly or through other
routers, in the app. Route names are unique per app.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import uuid
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

from jobify._kernel.builder import ScheduleBuilder
from jobify._kernel.pipeline import build_inner_chain, build_outer_chain, retry_policy
from jobify._kernel.runnable import FuncSpec, async_strategy, pool_strategy, sync_main_strategy
from jobify._kernel.state import State
from jobify._kernel.values import Cron, RunMode
from jobify.exceptions import ApplicationStateError, RouteAlreadyRegisteredError
from jobify.serializers import HintAwareSerializer
from jobify.typeadapter import IdentityAdapter

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from jobify._kernel.app import Jobify, JobifyConfiguration
    from jobify._kernel.context import RouteOptions
    from jobify._kernel.job import Job
    from jobify._kernel.runnable import RunStrategy
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware, CallNext, CallNextOuter

__all__ = ("JobRouter", "NodeRoute", "RootRoute", "Route", "Router")

ParamsT = ParamSpec("ParamsT")
ReturnT = TypeVar("ReturnT")
RouterT = TypeVar("RouterT", bound="Router")

Lifespan = Callable[[Any], "AbstractAsyncContextManager[Any]"]
MappingExceptionHandlers = Mapping[type[BaseException], Callable[..., Any]]

OPTION_NAMES = (
    "name", "cron", "retry", "timeout", "durable", "run_mode", "exception_handlers", "metadata",
)  # fmt: skip


def default_route_name(func: Callable[..., Any]) -> str:
    """``module:qualname``; a script run as ``__main__`` uses its file's stem."""
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
        out["retry"] = retry_policy(out["retry"])
    if "timeout" in out:
        t = out["timeout"]
        if isinstance(t, bool) or not isinstance(t, int | float) or not t > 0:
            msg = f"{where}: timeout must be a number of seconds > 0, got {t!r}"
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


class ProcessTarget:
    """A picklable reference to a task function, for ``RunMode.PROCESS``.

    The worker imports the task's module and calls the task found under its
    qualified name (the route object, which calls the original function).
    """

    __slots__ = ("module", "qualname")

    def __init__(self, module: str, qualname: str) -> None:
        self.module = module
        self.qualname = qualname

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        obj: Any = importlib.import_module(self.module)
        for part in self.qualname.split("."):
            obj = getattr(obj, part)
        return obj(*args, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ProcessTarget, (self.module, self.qualname))


class Route(ABC, Generic[ParamsT, ReturnT]):
    """A task: a function plus its options, callable directly as the function."""

    def __init__(self, name: str, func: Callable[ParamsT, ReturnT], options: RouteOptions) -> None:
        """Hold ``func`` under ``name`` with ``options``."""
        self.name = name
        self.func = func
        self.options = options

    def __call__(self, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs) -> ReturnT:
        """Call the function directly, without scheduling."""
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    @abstractmethod
    def schedule(
        self, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs
    ) -> ScheduleBuilder[ReturnT]:
        """Bind arguments and return a builder: ``.at()``, ``.delay()``, ``.cron()``."""

    @abstractmethod
    async def push(self, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs) -> Job[ReturnT]:
        """Schedule the task to run now with these arguments."""


class RootRoute(Route[ParamsT, ReturnT]):
    """A task bound to an app: it can be scheduled."""

    def __init__(
        self,
        *,
        name: str,
        func: Callable[ParamsT, ReturnT],
        options: RouteOptions,
        app: Jobify,
        routers: Sequence[Router] = (),
    ) -> None:
        """Bind ``func`` to ``app``; ``routers`` are the routers it was declared through."""
        super().__init__(name, func, options)
        self.app = app
        self.routers = tuple(routers)
        self.func_spec: FuncSpec[ReturnT] = FuncSpec(func, name=name)
        serializer = app.configs.serializer
        if isinstance(serializer, HintAwareSerializer) and isinstance(
            app.configs.dumper, IdentityAdapter
        ):  # no type adapter: the serializer learns the task's classes
            serializer.register_hints(self.func_spec.annotations.values())
        self.strategy: RunStrategy = self._make_strategy()
        self.chain: CallNext = None  # type: ignore[assignment]  # built by build()
        self.outer_chain: CallNextOuter | None = None
        self.is_persist = False
        self.task_state: State = app.state
        if "cron" in options:
            app._make_cron_parser(_cron_of(options["cron"]).expression)
        if app.configs.app_started:
            self.build()

    @property
    def state(self) -> State:
        """The app's state."""
        return self.app.state

    @property
    def jobify_config(self) -> JobifyConfiguration:
        """The app's configuration."""
        return self.app.configs

    def _make_strategy(self) -> RunStrategy:
        func: Any = self.func
        spec = self.func_spec
        mode = self.options.get("run_mode")
        if spec.is_async:
            if mode not in (None, RunMode.MAIN):
                warnings.warn(
                    f"task {self.name!r}: async functions always run on the event loop; "
                    f"run_mode={mode.value!r} is ignored",
                    RuntimeWarning,
                    stacklevel=5,
                )
            return async_strategy(func)
        if mode is None:
            mode = RunMode.THREAD
        if mode is RunMode.MAIN:
            return sync_main_strategy(func)
        pools = self.app._pools
        if mode is RunMode.THREAD:
            return pool_strategy(func, pools.thread)
        pools.require_process(self.name)
        qualname = getattr(func, "__qualname__", "")
        module = getattr(func, "__module__", "")
        if "<locals>" in qualname or "<lambda>" in qualname or not module:
            msg = (
                f"task {self.name!r}: run_mode=PROCESS needs a module-level function that a "
                "worker process can import; move it to the top level of a module"
            )
            raise ValueError(msg)
        # a script run directly stays "__main__": a spawned worker imports it under that
        # name too, whatever name= the task was given
        return pool_strategy(ProcessTarget(module, qualname), pools.process)

    def build(self) -> None:
        """Compose the task's chains; called at startup (or at once after it)."""
        app = self.app
        options = self.options
        middleware: list[Any] = list(app._observer_middleware)
        middleware += app._middleware
        outer: list[Any] = list(app._outer_middleware)
        merged: dict[type[BaseException], Callable[..., Any]] = dict(app.exception_handlers)
        for router in self.routers:
            middleware += router._middleware
            outer += router._outer_middleware
            merged.update(router.exception_handlers)
        merged.update(options.get("exception_handlers") or {})
        self.chain = build_inner_chain(
            middleware=middleware,
            exception_handlers=merged,
            retry=options.get("retry"),  # type: ignore[arg-type]
            timeout=options.get("timeout"),
        )
        self.outer_chain = build_outer_chain(outer)
        router_states = [r.state for r in self.routers if r.state]
        self.task_state = (
            State({**app.state, **{k: v for st in router_states for k, v in st.items()}})
            if router_states
            else app.state
        )
        self.is_persist = app._storage_on and options.get("durable", True)

    def schedule(
        self, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs
    ) -> ScheduleBuilder[ReturnT]:
        """Bind arguments and return a builder: ``.at()``, ``.delay()``, ``.cron()``.

        Raises:
            ApplicationStateError: the app is not started.
        """
        if not self.app.configs.app_started:
            raise ApplicationStateError(
                operation="schedule",
                reason=f"the app is not started (task {self.name!r})",
                solution="Schedule jobs inside `async with app:` or after `await app.startup()`.",
            )
        return ScheduleBuilder(route=self, bound=self.func_spec.bind(args, kwargs))

    def create_builder(self, bound: inspect.BoundArguments) -> ScheduleBuilder[ReturnT]:
        """Return a builder for already bound arguments."""
        return ScheduleBuilder(route=self, bound=bound)

    async def push(self, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs) -> Job[ReturnT]:
        """Schedule the task to run now with these arguments."""
        return await ScheduleBuilder(route=self, bound=self.func_spec.bind(args, kwargs)).push()


def _cron_of(value: str | Cron) -> Cron:
    return value if isinstance(value, Cron) else Cron(value)


class NodeRoute(Route[ParamsT, ReturnT]):
    """A task declared on a router; usable once the router is included in an app."""

    def __init__(
        self, *, name: str, func: Callable[ParamsT, ReturnT], options: RouteOptions
    ) -> None:
        """Declare ``func`` under ``name``."""
        super().__init__(name, func, options)
        self._real: RootRoute[ParamsT, ReturnT] | None = None

    @property
    def real_route(self) -> RootRoute[ParamsT, ReturnT]:
        """The app's route this task is bound to.

        Raises:
            RuntimeError: the task's router is not included in an app.
        """
        if self._real is None:
            msg = (
                f"cannot schedule task {self.name!r}: its router is not included in an "
                "app; call app.include_router(router) before scheduling"
            )
            raise RuntimeError(msg)
        return self._real

    def bind(self, route: Route[ParamsT, ReturnT]) -> None:
        """Bind this task to the app's route (its name becomes the route's at startup)."""
        self._real = route  # type: ignore[assignment]

    def take_app_name(self) -> None:
        """Take the name the app knows this task by (router prefixes included), as 0.14 does."""
        if self._real is not None:
            self.name = self._real.name

    def schedule(
        self, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs
    ) -> ScheduleBuilder[ReturnT]:
        """Bind arguments and return a builder: ``.at()``, ``.delay()``, ``.cron()``."""
        return self.real_route.schedule(*args, **kwargs)

    async def push(self, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs) -> Job[ReturnT]:
        """Schedule the task to run now with these arguments."""
        return await self.real_route.push(*args, **kwargs)


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
            return self._router._declare(func, options)

        def decorator(f: Callable[ParamsT, ReturnT]) -> Route[ParamsT, ReturnT]:
            return self._router._declare(f, options)

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
        self.state = state if isinstance(state, State) else State(dict(state or {}))
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

    def __repr__(self) -> str:
        prefix = "" if self.prefix is None else f" prefix={self.prefix!r}"
        return f"<{type(self).__name__}{prefix}>"

    @property
    def task(self) -> TaskRegistrator:
        """Declare a task: ``@router.task`` or ``@router.task(name=..., cron=..., ...)``."""
        return TaskRegistrator(self)

    @property
    def routes(self) -> Iterator[Route[Any, Any]]:
        """Every task of this router and its sub-routers."""
        yield from self._routes.values()
        for sub in self.sub_routers:
            yield from sub.routes

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
        if not isinstance(router, JobRouter):
            msg = f"include_router(): expected a JobRouter, got {router!r}"
            raise TypeError(msg)
        if router is self:
            msg = "include_router(): a router cannot include itself"
            raise RuntimeError(msg)
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
            root._check_not_started("include a router")
        router.parent = self
        self.sub_routers.append(router)
        if root is not None:
            try:
                root._bind_router(router)
            except BaseException:
                root._unbind_router(router)
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

    def _declare(self, func: Callable[..., Any], options: Mapping[str, Any]) -> Route[Any, Any]:
        if not callable(func):
            msg = f"@task: expected a function, got {func!r}"
            raise TypeError(msg)
        if isinstance(func, Route):  # a task declared again: its function, under its name
            options = {"name": func.name, **options}
            func = func.func
        opts = check_options(func, options)
        name = opts.get("name") or default_route_name(func)
        return self.add_route(name, func, opts)  # type: ignore[arg-type]

    @abstractmethod
    def add_route(
        self, name: str, func: Callable[..., Any], options: RouteOptions
    ) -> Route[Any, Any]:
        """Register ``func`` under ``name``."""

    def remove_route(self, name: str) -> None:
        """Forget the task ``name`` of this router."""
        self._routes.pop(name, None)


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
            root._bind_route(self, route)
        self._routes[name] = route
        return route
