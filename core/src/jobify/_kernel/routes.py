"""Routes: the tasks of an app (``RootRoute``) and of a router (``NodeRoute``).

A task is a function plus its options, callable directly as the function. A
``RootRoute`` belongs to an app: it inspects its function once, picks how it
runs (the event loop, a thread, a process), holds the middleware chains the
registry builds for it at startup, and makes one scheduling call per
``schedule(*args)``. A ``NodeRoute`` is declared on a :class:`JobRouter` and
becomes bound to a ``RootRoute`` once its router is included in an app.
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from jobify._kernel.builder import ScheduleBuilder
from jobify._kernel.pipeline import build_inner_chain, build_outer_chain
from jobify._kernel.runnable import (
    FuncSpec,
    Runnable,
    async_strategy,
    pool_strategy,
    sync_main_strategy,
)
from jobify._kernel.state import State
from jobify._kernel.values import Cron, RunMode
from jobify.exceptions import ApplicationStateError
from jobify.serializers import HintAwareSerializer
from jobify.typeadapter import IdentityAdapter

if TYPE_CHECKING:
    from jobify._kernel.app import Jobify
    from jobify._kernel.configuration import JobifyConfiguration
    from jobify._kernel.context import RouteOptions
    from jobify._kernel.job import Job
    from jobify._kernel.routers import Router
    from jobify._kernel.runnable import RunStrategy
    from jobify.crontab import CronParser
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware, CallNext, CallNextOuter

__all__ = ("NodeRoute", "ProcessTarget", "RootRoute", "Route")

ParamsT = ParamSpec("ParamsT")
ReturnT = TypeVar("ReturnT")


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
        configs = app.configs
        self.func_spec: FuncSpec[ReturnT] = FuncSpec(func, name=name)
        serializer = configs.serializer
        if isinstance(serializer, HintAwareSerializer) and isinstance(
            configs.dumper, IdentityAdapter
        ):  # no type adapter: the serializer learns the task's classes
            serializer.register_hints(self.func_spec.annotations.values())
        self.strategy: RunStrategy = self._make_strategy()
        self.func_spec.strategy = self.strategy
        self.chain: CallNext = None  # type: ignore[assignment]  # built by build()
        self.outer_chain: CallNextOuter | None = None
        self.is_persist = False
        self.removed = False
        """True once ``app.remove_route`` took it out: it can no longer be scheduled."""
        self.task_state: State = app.state
        if "cron" in options:
            self.cron_parser(_cron_of(options["cron"]).expression)

    @property
    def state(self) -> State:
        """The app's state."""
        return self.app.state

    @property
    def jobify_config(self) -> JobifyConfiguration:
        """The app's configuration."""
        return self.app.configs

    def cron_parser(self, expression: str) -> CronParser:
        """The app's parser for ``expression``; a bad one raises ``ValueError`` saying why."""
        try:
            return self.app.configs.cron_factory(expression)
        except ValueError as exc:
            msg = f"invalid cron expression {expression!r}: {exc}"
            raise ValueError(msg) from exc

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
                    stacklevel=6,
                )
            return async_strategy(func)
        if mode is None:
            mode = RunMode.THREAD
        if mode is RunMode.MAIN:
            return sync_main_strategy(func)
        pools = self.app.configs.worker_pools
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

    def build(
        self,
        *,
        middleware: Sequence[BaseMiddleware],
        outer_middleware: Sequence[BaseOuterMiddleware],
        exception_handlers: Mapping[type[BaseException], Callable[..., Any]],
        stored: bool,
        retried: Sequence[Callable[..., Any]] = (),
    ) -> None:
        """Compose the task's chains; called at startup (or at once after it).

        ``middleware`` and ``exception_handlers`` are the app's; the task's
        routers add theirs, and its own options come last.
        """
        options = self.options
        inner: list[Any] = list(middleware)
        outer: list[Any] = list(outer_middleware)
        merged: dict[type[BaseException], Callable[..., Any]] = dict(exception_handlers)
        for router in self.routers:
            inner += router.middleware
            outer += router.outer_middleware
            merged.update(router.exception_handlers)
        merged.update(options.get("exception_handlers") or {})
        self.chain = build_inner_chain(
            middleware=inner,
            exception_handlers=merged,
            retry=options.get("retry"),  # type: ignore[arg-type]
            timeout=options.get("timeout"),
            retried=retried,
        )
        self.outer_chain = build_outer_chain(outer)
        app_state = self.app.state
        # a router's task sees a copy of the app's state with its routers' state on top
        # (as jobify 0.14); a task of the app itself, the app's state
        self.task_state = (
            State({**app_state, **{k: v for r in self.routers for k, v in r.state.items()}})
            if self.routers
            else app_state
        )
        self.is_persist = stored and options.get("durable", True)

    def schedule(
        self, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs
    ) -> ScheduleBuilder[ReturnT]:
        """Bind arguments and return a builder: ``.at()``, ``.delay()``, ``.cron()``.

        Raises:
            ApplicationStateError: the app is not started.
        """
        self.check_schedulable()
        return ScheduleBuilder(route=self, runnable=self.call(args, kwargs))

    def check_schedulable(self) -> None:
        """Raise ``ApplicationStateError`` unless the app runs and still has this task."""
        if not self.app.configs.app_started or self.removed:
            raise ApplicationStateError(
                operation="schedule",
                reason=(
                    f"the task {self.name!r} was removed from the app"
                    if self.removed
                    else f"the app is not started (task {self.name!r})"
                ),
                solution="Schedule jobs inside `async with app:` or after `await app.startup()`.",
            )

    def runnable_for(self, bound: inspect.BoundArguments) -> Runnable[ReturnT]:
        """One call of this task with ``bound`` arguments."""
        return Runnable(func_spec=self.func_spec, bound=bound)

    def stored_call(self, arguments: dict[str, Any]) -> Runnable[ReturnT]:
        """The call a stored job's decoded ``arguments`` make (checked against the signature)."""
        spec = self.func_spec
        names = spec.positional
        if names and len(arguments) == len(names):
            try:  # one list, no generators: a restore calls this for every row
                args = tuple([arguments[n] for n in names])
            except KeyError:
                pass  # a parameter is missing: bind_stored raises the error that names it
            else:
                return Runnable(func_spec=spec, args=args)
        return Runnable(func_spec=spec, bound=spec.bind_stored(arguments))

    def call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Runnable[ReturnT]:
        """One call of this task with ``args`` and ``kwargs`` (checked against its signature)."""
        spec = self.func_spec
        plain = spec.quick_bind(args, kwargs)
        if plain is not None:
            return Runnable(func_spec=spec, args=plain)
        return Runnable(func_spec=spec, bound=spec.bind(args, kwargs))

    def builder_for(self, runnable: Runnable[ReturnT]) -> ScheduleBuilder[ReturnT]:
        """A builder for a call already made (``JobContext.schedule_builder``)."""
        return ScheduleBuilder(route=self, runnable=runnable)

    def create_builder(self, bound: inspect.BoundArguments) -> ScheduleBuilder[ReturnT]:
        """Return a builder for already bound arguments."""
        return ScheduleBuilder(route=self, runnable=self.runnable_for(bound))

    async def push(self, /, *args: ParamsT.args, **kwargs: ParamsT.kwargs) -> Job[ReturnT]:
        """Schedule the task to run now with these arguments."""
        runnable = self.call(args, kwargs)
        return await ScheduleBuilder(route=self, runnable=runnable).push()


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

    @property
    def is_bound(self) -> bool:
        """True once the task's router is included in an app."""
        return self._real is not None

    def bind(self, route: Route[ParamsT, ReturnT] | None) -> None:
        """Bind this task to the app's route (None: unbind after a failed include)."""
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
