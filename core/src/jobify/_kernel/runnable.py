"""A task function inspected once, and one job's call of it.

Everything reflective (signature, type hints, which parameters take
``INJECT``) happens once per task in :class:`FuncSpec`; a job only binds its
arguments and calls the precomputed run strategy.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from jobify._kernel.values import INJECT
from jobify.executors import InterruptibleExecutor

if TYPE_CHECKING:
    from concurrent.futures import Future

    from jobify._kernel.context import JobContext

__all__ = ("FuncSpec", "Runnable", "RunStrategy")

ReturnT = TypeVar("ReturnT")

RunStrategy = Callable[[tuple[Any, ...], dict[str, Any]], Awaitable[Any]]
"""Calls the task with positional and keyword arguments; built once per task."""

# What an INJECT parameter receives, by the name of its annotation.
_INJECTABLE = {
    "JobContext": "context",
    "State": "state",
    "RequestState": "request_state",
    "Jobify": "app",
    "Job": "job",
    "Runnable": "runnable",
    "RouteOptions": "route_options",
    "JobifyConfiguration": "jobify_config",
    "ScheduleBuilder": "schedule_builder",
}


class FuncSpec(Generic[ReturnT]):
    """What jobify needs to know about a task function, computed once."""

    __slots__ = (
        "annotations",
        "func",
        "inject",
        "inject_params",
        "is_async",
        "name",
        "params",
        "positional",
        "return_annotation",
        "signature",
        "strategy",
        "task",
        "type_params",
    )

    def __init__(self, func: Callable[..., Any], *, name: str) -> None:
        """Inspect ``func`` of the task ``name``: signature, type hints, INJECT parameters.

        ``name`` is the function's own name (as in jobify 0.14), ``task`` the
        task's; ``type_params`` maps each parameter to its annotation,
        ``inject_params`` each INJECT parameter, ``result_type`` is the return
        annotation.
        """
        self.func = func
        self.task = name
        self.name = getattr(func, "__name__", name)
        self.signature = inspect.signature(func)
        self.is_async = inspect.iscoroutinefunction(func)
        try:
            hints = typing.get_type_hints(func)
        except Exception:
            hints = {
                p.name: p.annotation
                for p in self.signature.parameters.values()
                if p.annotation is not inspect.Parameter.empty
            }
        self.annotations: dict[str, Any] = hints
        self.return_annotation = hints.get("return", Any)
        self.type_params = {n: t for n, t in hints.items() if n != "return"}
        self.params = self.signature.parameters
        inject: list[tuple[str, str]] = []
        for param in self.params.values():
            if param.default is not INJECT:
                continue
            ann = hints.get(param.name, param.annotation)
            if ann is inspect.Parameter.empty:
                msg = (
                    f"task {name!r}: parameter {param.name!r} defaults to INJECT but has no "
                    "annotation; annotate it, e.g. `ctx: JobContext = INJECT`"
                )
                raise ValueError(msg)
            what = _INJECTABLE.get(_annotation_name(ann))
            if what is None:
                msg = (
                    f"task {name!r}: parameter {param.name!r} defaults to INJECT but is "
                    f"annotated {ann!r}; INJECT fills parameters annotated "
                    f"{', '.join(_INJECTABLE)}"
                )
                raise ValueError(msg)
            inject.append((param.name, what))
        self.inject = tuple(inject)
        self.inject_params = {name: hints.get(name) for name, _ in inject}
        plain = all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in self.params.values())
        self.positional: tuple[str, ...] = tuple(self.params) if plain and not inject else ()
        """Parameter names, when every call can bind them by position (else empty)."""
        self.strategy: RunStrategy = _not_built
        """How the task runs; set by its route."""

    @property
    def result_type(self) -> Any:
        """The return annotation (``Any`` when there is none)."""
        return self.return_annotation

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> inspect.BoundArguments:
        """Bind a job's arguments, failing with the task's name and signature."""
        try:
            return self.signature.bind(*args, **kwargs)
        except TypeError as exc:
            msg = (
                f"task {self.task!r}: the arguments do not match its signature "
                f"{self.name}{self.signature}: {exc}. Pass the arguments "
                "the function takes to push() / schedule()."
            )
            raise TypeError(msg) from None

    def quick_bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
        """Every parameter's value in order, when the call gives each one; else None.

        The plain case (no defaults left out, no ``*args``, no INJECT) binds
        without ``inspect.Signature.bind``: it is the hot path of ``push``.
        """
        names = self.positional
        given = len(args)
        if not names or given > len(names):
            return None
        if not kwargs:
            return args if given == len(names) else None
        if given + len(kwargs) != len(names):
            return None
        try:
            return args + tuple(kwargs[name] for name in names[given:])
        except KeyError:
            return None

    def bind_stored(self, arguments: dict[str, Any]) -> inspect.BoundArguments:
        """Bind arguments decoded from a stored job; a mismatch raises ``TypeError``."""
        params = self.params
        ordered = {n: arguments[n] for n in params if n in arguments}
        bound = inspect.BoundArguments(self.signature, ordered)
        if len(ordered) != len(params) or any(p.kind in _VARIADIC for p in params.values()):
            # every parameter present and none variadic always binds: the check is
            # skipped then (startup restore time, benchmarks/)
            self.signature.bind(*bound.args, **bound.kwargs)
        return bound


_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def _not_built(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Awaitable[Any]:
    msg = "the task's route has not set its run strategy"
    raise RuntimeError(msg)


_NO_KWARGS: dict[str, Any] = {}  # shared, never mutated: strategies only unpack it


class Runnable(Generic[ReturnT]):
    """A task function bound to one job's arguments, ready to run.

    A pending job keeps only what it needs (memory per pending job,
    benchmarks/): the positional and keyword arguments of the call, and its
    task's :class:`FuncSpec` (which holds the task's name and run strategy).
    ``origin_arguments`` and ``bound`` are made when first read.
    """

    __slots__ = ("_arguments", "_bound", "args", "attempts", "func_spec", "kwargs")

    def __init__(
        self,
        *,
        func_spec: FuncSpec[ReturnT],
        bound: inspect.BoundArguments | None = None,
        args: tuple[Any, ...] = (),
    ) -> None:
        """One call of the task of ``func_spec``: ``bound`` arguments, or plain ``args``.

        ``args`` (without ``bound``) must give every parameter, in order: what
        :meth:`FuncSpec.quick_bind` returns.
        """
        self.func_spec = func_spec
        if bound is None:
            self._arguments: dict[str, Any] | None = None
            self.args = args
            self.kwargs = _NO_KWARGS
        else:
            self._arguments = bound.arguments
            self.args = bound.args
            self.kwargs = bound.kwargs or _NO_KWARGS
        self._bound: inspect.BoundArguments | None = None
        self.attempts = 0
        """How many times the task was called in the current run (retries count)."""

    @property
    def name(self) -> str:
        """The task's name."""
        return self.func_spec.task

    @property
    def strategy(self) -> RunStrategy:
        """How the task runs: on the loop, in a thread, in a process."""
        return self.func_spec.strategy

    @property
    def origin_arguments(self) -> dict[str, Any]:
        """The call's arguments by parameter name, as given."""
        arguments = self._arguments
        if arguments is None:
            names = self.func_spec.positional
            arguments = self._arguments = dict(zip(names, self.args, strict=True))
        return arguments

    @property
    def bound(self) -> inspect.BoundArguments:
        """The call's arguments bound to the task's signature.

        Made on first access, from a copy of ``origin_arguments``; a middleware
        that changes ``bound.arguments`` before ``call_next`` changes what the
        task is called with.
        """
        bound = self._bound
        if bound is None:
            bound = self._bound = inspect.BoundArguments(
                self.func_spec.signature, dict(self.origin_arguments)
            )
        return bound

    @property
    def arguments(self) -> dict[str, Any]:
        """The arguments the task will be called with (``bound``'s once a middleware made it)."""
        bound = self._bound
        return self.origin_arguments if bound is None else bound.arguments

    def __call__(self) -> Awaitable[ReturnT]:
        """Run the task with its bound arguments (INJECT parameters left as they are)."""
        bound = self._bound
        if bound is None:
            return self.func_spec.strategy(self.args, self.kwargs)
        return self.func_spec.strategy(bound.args, bound.kwargs)

    def run(self, context: JobContext) -> Awaitable[ReturnT]:
        """Run the task, filling its INJECT parameters from ``context``."""
        self.attempts += 1
        spec = self.func_spec
        inject = spec.inject
        if not inject:
            bound = self._bound
            if bound is None:
                return spec.strategy(self.args, self.kwargs)
            return spec.strategy(bound.args, bound.kwargs)
        bound = self.bound
        arguments = bound.arguments
        for param, what in inject:  # always filled, even if the caller passed a value (0.14)
            arguments[param] = context if what == "context" else getattr(context, what)
        return spec.strategy(bound.args, bound.kwargs)


def _annotation_name(ann: Any) -> str:
    origin = typing.get_origin(ann)
    if origin is not None:
        ann = origin
    if isinstance(ann, str):
        return ann.partition("[")[0].rpartition(".")[2]
    return getattr(ann, "__name__", "")


def async_strategy(func: Callable[..., Awaitable[Any]]) -> RunStrategy:
    """Run an async task on the event loop."""

    def run(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Awaitable[Any]:
        return func(*args, **kwargs)

    return run


def sync_main_strategy(func: Callable[..., Any]) -> RunStrategy:
    """Run a sync task on the event loop itself (``RunMode.MAIN``)."""

    async def run(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return func(*args, **kwargs)

    return run


def pool_strategy(func: Callable[..., Any], get_pool: Callable[[], Any]) -> RunStrategy:
    """Run a sync task on the pool ``get_pool()`` returns (None: the loop's default).

    A pool that is an :class:`~jobify.executors.InterruptibleExecutor` is told
    to stop a call whose job was cancelled (a ``timeout`` included). Whether a
    pool is one is checked once per pool, when the first job meets it.
    """
    met: list[Any] = [_NO_POOL, None]  # the pool last met, and its interrupt (or None)

    def run(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Awaitable[Any]:
        loop = asyncio.get_running_loop()
        call = (
            functools.partial(func, *args, **kwargs)
            if kwargs
            else (functools.partial(func, *args) if args else func)
        )
        pool = get_pool()
        if pool is not met[0]:
            met[:] = [pool, pool.interrupt if isinstance(pool, InterruptibleExecutor) else None]
        interrupt = met[1]
        if interrupt is None:
            return loop.run_in_executor(pool, call)
        future = pool.submit(call)
        waiter = asyncio.wrap_future(future, loop=loop)
        waiter.add_done_callback(functools.partial(_interrupt_if_cancelled, interrupt, future))
        return waiter

    return run


_NO_POOL: Any = object()


def _interrupt_if_cancelled(
    interrupt: Callable[[Future[Any]], bool],
    future: Future[Any],
    waiter: asyncio.Future[Any],
) -> None:
    if waiter.cancelled():
        interrupt(future)
