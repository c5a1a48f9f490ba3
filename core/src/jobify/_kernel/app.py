"""``Jobify``: the app that owns the registry, the timer loop and the pipelines.

Constructing an app assembles it once: plugin distributions are discovered,
``jobify.toml`` is read (see :func:`jobify._assembly.config.find_config`),
and each capability is resolved — an instance passed here always wins over
the file. Nothing outlives ``async with app``: every resource started at
startup is closed at shutdown through one ``AsyncExitStack``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import timezone
from typing import TYPE_CHECKING, Any, Final, Protocol, Self, TypeVar
from zoneinfo import ZoneInfo

import attrs

from jobify._assembly.assemble import assemble
from jobify._assembly.config import Settings, load_settings
from jobify._assembly.seed import install_hint
from jobify._kernel.message import MessageError, decode
from jobify._kernel.pipeline import observer_middleware
from jobify._kernel.pools import WorkerPools
from jobify._kernel.registry import NodeRoute, RootRoute, Route, Router
from jobify._kernel.state import State
from jobify._kernel.timer import At, Timer
from jobify._kernel.values import Cron, JobStatus
from jobify.exceptions import ApplicationStateError, ConfigError, RouteAlreadyRegisteredError
from jobify.storage import ClusterStorage, ScheduledJob, Storage
from jobify.typeadapter import IdentityAdapter

if TYPE_CHECKING:
    import os
    from datetime import datetime
    from types import TracebackType

    from jobify._assembly.assemble import Assembly
    from jobify._kernel.context import RouteOptions
    from jobify._kernel.job import Job
    from jobify._kernel.registry import Lifespan, MappingExceptionHandlers
    from jobify.crontab import CronParser
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware
    from jobify.serializers import Serializer
    from jobify.typeadapter import Dumper, Loader

__all__ = ("UNSET", "Jobify", "JobifyConfiguration", "Plugin")

log = logging.getLogger("jobify")
ReturnT = TypeVar("ReturnT")


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNSET: Final[Any] = _Sentinel("UNSET")
DEFAULT_CRON: Final[Any] = _Sentinel("<the configured cron parser>")
CRON_JOB_SUFFIX: Final = "__jobify_cron_definition"


class Plugin(Protocol):
    """Lifecycle hooks for integrating extensions into a Jobify app.

    Not to be confused with plugin *distributions* (entry points): a
    ``Plugin`` is an object passed to ``Jobify(plugins=[...])``.
    """

    async def startup(self, app: Jobify) -> None:
        """Called at app startup, in registration order."""

    async def shutdown(self) -> None:
        """Called at app shutdown, in reverse order."""


class _NoStorage(Storage):
    """Storage when it is off: nothing is stored, nothing restored."""

    __slots__ = ()

    async def startup(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def get_schedules(self) -> Sequence[ScheduledJob]:
        return ()

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        return None

    async def delete_schedule(self, job_id: str) -> None:
        return None

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        return None


def _no_cron_parser(expression: str) -> CronParser:
    msg = (
        f"cannot parse cron {expression!r}: no cron parser is installed. Install one "
        f"({install_hint('cron')}) or pass Jobify(cron_factory=...)"
    )
    raise RuntimeError(msg)


@attrs.define(kw_only=True, eq=False)
class JobifyConfiguration:
    """The resolved configuration of one app."""

    app: Jobify
    tz: ZoneInfo
    dumper: Dumper
    loader: Loader
    storage: Storage
    getloop: Callable[[], asyncio.AbstractEventLoop]
    serializer: Serializer
    worker_pools: WorkerPools
    cron_factory: Callable[[str], CronParser]
    uuid_generator: Callable[[], Any]
    app_started: bool = False


class Jobify(Router):
    """Jobify is the main app for scheduling and managing background jobs."""

    def __init__(
        self,
        *,
        tz: ZoneInfo | None = None,
        state: State | None = None,
        dumper: Dumper | None = None,
        loader: Loader | None = None,
        storage: Storage | bool = UNSET,
        lifespan: Lifespan | None = None,
        serializer: Serializer | None = None,
        middleware: Sequence[BaseMiddleware] | None = None,
        outer_middleware: Sequence[BaseOuterMiddleware] | None = None,
        cron_factory: Callable[[str], CronParser] = DEFAULT_CRON,
        loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.get_running_loop,
        exception_handlers: MappingExceptionHandlers | None = None,
        threadpool_executor: Any = None,
        processpool_executor: Any = None,
        route_class: type[RootRoute[..., Any]] = RootRoute,
        plugins: Sequence[Plugin] = (),
        uuid_generator: Callable[[], Any] = uuid.uuid4,
    ) -> None:
        """Assemble an app; ``jobify.toml`` (if found) fills what is not passed here."""
        self._setup(
            load_settings(),
            hook_plugins=(),
            autoload=True,
            tz=tz,
            state=state,
            dumper=dumper,
            loader=loader,
            storage=storage,
            lifespan=lifespan,
            serializer=serializer,
            middleware=middleware,
            outer_middleware=outer_middleware,
            cron_factory=cron_factory,
            loop_factory=loop_factory,
            exception_handlers=exception_handlers,
            threadpool_executor=threadpool_executor,
            processpool_executor=processpool_executor,
            route_class=route_class,
            plugins=plugins,
            uuid_generator=uuid_generator,
        )

    @classmethod
    def from_config(
        cls,
        path: str | os.PathLike[str] | None = None,
        /,
        *,
        hook_plugins: Sequence[object] = (),
        autoload: bool = True,
        **kwargs: Any,
    ) -> Self:
        """Assemble an app from a config file; keyword arguments win over it.

        Args:
            path: a ``jobify.toml`` or a ``pyproject.toml`` with ``[tool.jobify]``;
                None runs the usual lookup.
            hook_plugins: extra plugin objects or modules with ``@hookimpl``
                functions, registered after the discovered ones.
            autoload: False skips the entry-point scan.
            **kwargs: any argument of ``Jobify(...)``.
        """
        settings = Settings.from_toml(path) if path is not None else load_settings()
        init = inspect.signature(cls.__init__).parameters
        for key in kwargs:
            if key not in init or key == "self":
                msg = f"Jobify.from_config(): unexpected argument {key!r}"
                raise TypeError(msg)
        app = cls.__new__(cls)
        params = {name: p.default for name, p in init.items() if name != "self"}
        params.update(kwargs)
        app._setup(settings, hook_plugins=hook_plugins, autoload=autoload, **params)
        return app

    def _setup(
        self,
        settings: Settings,
        *,
        hook_plugins: Sequence[object],
        autoload: bool,
        tz: ZoneInfo | None,
        state: State | None,
        dumper: Dumper | None,
        loader: Loader | None,
        storage: Storage | bool,
        lifespan: Lifespan | None,
        serializer: Serializer | None,
        middleware: Sequence[BaseMiddleware] | None,
        outer_middleware: Sequence[BaseOuterMiddleware] | None,
        cron_factory: Callable[[str], CronParser],
        loop_factory: Callable[[], asyncio.AbstractEventLoop],
        exception_handlers: MappingExceptionHandlers | None,
        threadpool_executor: Any,
        processpool_executor: Any,
        route_class: type[RootRoute[..., Any]],
        plugins: Sequence[Plugin],
        uuid_generator: Callable[[], Any],
    ) -> None:
        super().__init__(
            state=state,
            lifespan=lifespan,
            middleware=middleware,
            outer_middleware=outer_middleware,
            exception_handlers=exception_handlers,
        )
        if storage is True or not (
            storage is UNSET or storage is False or isinstance(storage, Storage)
        ):
            msg = f"Jobify(storage=...): expected a Storage instance or False, got {storage!r}"
            raise TypeError(msg)
        if tz is not None and not isinstance(tz, ZoneInfo | timezone):
            msg = f"Jobify(tz=...): expected a zoneinfo.ZoneInfo, got {tz!r}"
            raise TypeError(msg)
        asm: Assembly = assemble(
            settings,
            plugins=hook_plugins,
            autoload=autoload,
            storage=None if storage is UNSET else storage,
            serializer=serializer,
            typeadapter=dumper if dumper is not None and dumper is loader else None,  # type: ignore[comparison-overlap]
            cron_factory=None if cron_factory is DEFAULT_CRON else cron_factory,
        )
        self.settings = settings
        self.assembly = asm
        storage_obj = asm.storage
        self._storage_on = storage_obj not in (None, False)
        # a shared storage makes the nodes claim each durable run (builder._fire)
        self._cluster: ClusterStorage | None = (
            storage_obj if isinstance(storage_obj, ClusterStorage) else None
        )
        if self._storage_on and asm.serializer is None:
            msg = (
                f"storage {type(storage_obj).__name__} needs a serializer, and none is "
                f"installed: {install_hint('serializer')}, or pass Jobify(serializer=...)"
            )
            raise ConfigError(msg)
        adapter = asm.typeadapter or IdentityAdapter()
        self._timer = Timer(tz or (ZoneInfo(settings.tz) if settings.tz else ZoneInfo("UTC")))
        self._pools = WorkerPools(
            factories=asm.executors, thread=threadpool_executor, process=processpool_executor
        )
        gen = uuid_generator
        self.configs = JobifyConfiguration(
            app=self,
            tz=self._timer.tz,  # type: ignore[arg-type]
            dumper=dumper or adapter,
            loader=loader or adapter,
            storage=storage_obj if self._storage_on else _NoStorage(),
            getloop=loop_factory,
            serializer=asm.serializer,
            worker_pools=self._pools,
            cron_factory=asm.cron_factory or _no_cron_parser,
            uuid_generator=gen,
        )
        self._new_job_id: Callable[[], str] = lambda: _job_id_of(gen())
        self._middleware[:0] = list(asm.middleware)
        self._outer_middleware[:0] = list(asm.outer_middleware)
        self.route_class = route_class
        self.plugins: set[Plugin] = set()
        self._plugin_order: list[Plugin] = []
        for plug in plugins:
            self.add_plugin(plug)
        self._observer_middleware: list[Any] = (
            [observer_middleware(asm.observers_started)] if asm.observers_started else []
        )
        self._observers_scheduled = asm.observers_scheduled
        self._observers_finished = asm.observers_finished
        self._all_routes: dict[str, RootRoute[Any, Any]] = {}
        self._jobs: dict[str, Job[Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._idle_waiters: list[asyncio.Future[None]] = []
        self._pending_deletes: set[str] = set()
        # cluster only: job id -> the claimed run its row is deleted at (fenced)
        self._pending_releases: dict[str, datetime] = {}
        self._flush_task: asyncio.Task[None] | None = None
        self._stack: contextlib.AsyncExitStack | None = None

    def __repr__(self) -> str:
        return "<Jobify>"

    # --- registry -----------------------------------------------------------

    def _check_not_started(self, what: str) -> None:
        if self.configs.app_started:
            raise ApplicationStateError(
                operation=what,
                reason="the app is running and its routes are frozen",
                solution="Declare tasks and include routers before `async with app:` / startup().",
            )

    def add_route(
        self, name: str, func: Callable[..., Any], options: RouteOptions
    ) -> Route[Any, Any]:
        """Declare ``func`` as a task of the app under ``name``."""
        self._check_not_started(f"register task {name!r}")
        if name in self._all_routes:
            raise RouteAlreadyRegisteredError(name)
        route = self.route_class(name=name, func=func, options=options, app=self)
        self._routes[name] = route
        self._all_routes[name] = route
        return route

    def remove_route(self, name: str) -> None:
        """Forget the app's task ``name``."""
        self._check_not_started(f"remove task {name!r}")
        self._routes.pop(name, None)
        self._all_routes.pop(name, None)

    def _bind_router(self, router: Router) -> None:
        for name, route in list(router._routes.items()):
            del name
            self._bind_route(router, route)
        for sub in router.sub_routers:
            self._bind_router(sub)

    def _bind_route(self, router: Router, route: Route[Any, Any]) -> None:
        self._check_not_started(f"register task {route.name!r}")
        prefix = router.full_prefix()
        name = f"{prefix}:{route.name}" if prefix else route.name
        if name in self._all_routes:
            raise RouteAlreadyRegisteredError(name)
        lineage: list[Router] = []
        node: Router | None = router
        while node is not None and node is not self:
            lineage.append(node)
            node = node.parent
        real = self.route_class(
            name=name, func=route.func, options=route.options, app=self, routers=lineage[::-1]
        )
        self._all_routes[name] = real
        if isinstance(route, NodeRoute):
            route.bind(real)

    def _unbind_router(self, router: Router) -> None:
        """Undo a :meth:`_bind_router` that failed part way (an include that raised)."""
        for route in router._routes.values():
            if isinstance(route, NodeRoute) and route._real is not None:
                if self._all_routes.get(route._real.name) is route._real:
                    del self._all_routes[route._real.name]
                route._real = None
        for sub in router.sub_routers:
            self._unbind_router(sub)

    def _make_cron_parser(self, expression: str) -> CronParser:
        try:
            return self.configs.cron_factory(expression)
        except ValueError as exc:
            msg = f"invalid cron expression {expression!r}: {exc}"
            raise ValueError(msg) from exc

    def add_plugin(self, plug: Plugin, /) -> None:
        """Register a lifecycle plugin (``startup(app)`` / ``shutdown()``)."""
        if not callable(getattr(plug, "startup", None)) or not callable(
            getattr(plug, "shutdown", None)
        ):
            msg = f"add_plugin(): {plug!r} has no startup(app) / shutdown() methods"
            raise TypeError(msg)
        if plug not in self.plugins:
            self.plugins.add(plug)
            self._plugin_order.append(plug)

    # --- live jobs ------------------------------------------------------------

    def find_job(self, id_: str, /) -> Job[Any] | None:
        """The live (scheduled or running) job with this id, if any."""
        return self._jobs.get(id_)

    def get_active_jobs(self) -> list[Job[Any]]:
        """Every live job: scheduled, running, or a cron job between runs."""
        return list(self._jobs.values())

    def _register(self, job: Job[Any]) -> None:
        self._jobs[job.id] = job

    def _unregister(self, job_id: str, held: datetime | None = None) -> None:
        """Forget a job that ended; a durable one's row is deleted in the next batch.

        ``held`` (cluster storages): the job ended after the run claimed at
        ``held``, and its row is deleted only if this node still holds it.
        """
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        if job._task is not None:  # cancelled before it started: _execute never ran
            self._tasks.discard(job._task)
        if job._durable and self._storage_on:
            if held is not None and self._cluster is not None:
                self._pending_releases[job_id] = held
            else:
                self._pending_deletes.add(job_id)
            if self._flush_task is None:
                self._flush_task = asyncio.get_running_loop().create_task(self._flush_deletes())
        if not self._jobs and self._idle_waiters:
            waiters, self._idle_waiters = self._idle_waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)

    async def _flush_deletes(self) -> None:
        """Delete finished durable jobs in batches: one storage call per loop turn."""
        try:
            while self._pending_deletes or self._pending_releases:
                await asyncio.sleep(0)
                ids = list(self._pending_deletes)
                self._pending_deletes.clear()
                held, self._pending_releases = self._pending_releases, {}
                try:
                    if ids:
                        await self.configs.storage.delete_schedule_many(ids)
                    if held:
                        ids += held
                        await self._release(held)
                except Exception:
                    log.exception(
                        "could not delete %d finished job(s) from storage; they will run "
                        "again after a restart (at-least-once)", len(ids),
                    )  # fmt: skip
        finally:
            self._flush_task = None

    async def _release(self, held: dict[str, datetime]) -> None:
        """Delete ended jobs' rows on a cluster, each only if this node still holds it."""
        cluster = self._cluster
        assert cluster is not None  # noqa: S101 - only a cluster queues releases
        lost = len(held) - len(await cluster.release(held))
        if lost:
            log.info(
                "%d ended job(s) had been taken over by another node; their rows stay there",
                lost,
            )

    async def _store(self, job_id: str, name: str, message: bytes, next_run_at: datetime) -> None:
        self._pending_deletes.discard(job_id)
        self._pending_releases.pop(job_id, None)
        await self.configs.storage.add_schedule(
            ScheduledJob(job_id, name, message, JobStatus.SCHEDULED, next_run_at)
        )

    async def wait_all(self, timeout: float | None = None) -> None:  # noqa: ASYNC109 - reference API
        """Wait until no job is scheduled or running.

        Raises:
            TimeoutError: ``timeout`` seconds passed first.
        """
        if not self._jobs:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._idle_waiters.append(fut)
        try:
            async with asyncio.timeout(timeout):
                await fut
        finally:
            if not fut.done():
                fut.cancel()
                with contextlib.suppress(ValueError):
                    self._idle_waiters.remove(fut)

    # --- lifecycle ------------------------------------------------------------

    async def __aenter__(self) -> Self:
        """Start the app; see :meth:`startup`."""
        await self.startup()
        return self

    async def __aexit__(
        self,
        _exc_type: type[BaseException] | None = None,
        _exc_val: BaseException | None = None,
        _exc_tb: TracebackType | None = None,
    ) -> None:
        """Shut the app down, whatever happened in the block."""
        await self.shutdown()

    async def startup(self) -> None:
        """Start the app, in this order.

        Storage, plugin-distribution startup hooks, middleware with a
        ``startup``, then lifespans (app first, then routers); from here jobs
        can be scheduled: ``Plugin.startup(app)`` objects, then stored jobs
        are restored and the ``cron=`` tasks start. Shutdown runs the
        reverse. A failure on the way undoes what was started and re-raises.
        """
        if self.configs.app_started:
            raise ApplicationStateError(
                operation="start the app",
                reason="it is already running",
                solution="Call startup() once; shutdown() stops it.",
            )
        loop = self.configs.getloop()
        self._timer.bind_loop(loop)
        stack = contextlib.AsyncExitStack()
        await stack.__aenter__()
        try:
            stack.push_async_callback(self._pools.shutdown)
            if self._storage_on:
                await self.configs.storage.startup()
                stack.push_async_callback(self.configs.storage.shutdown)
            for func in self.assembly.on_startup:
                await _maybe_await(func(app=self))
            for func in self.assembly.on_shutdown[::-1]:
                stack.push_async_callback(_call_async, func, self)
            for mw in self._all_middleware():
                start = getattr(mw, "startup", None)
                stop = getattr(mw, "shutdown", None)
                if inspect.iscoroutinefunction(start) and inspect.iscoroutinefunction(stop):
                    await start(self)
                    stack.push_async_callback(stop)
            await self._enter_lifespans(stack, self)
            for route in self._all_routes.values():
                route.build()
            self.configs.app_started = True
            self._stack = stack
            for plug in self._plugin_order:
                await plug.startup(self)
                stack.push_async_callback(plug.shutdown)
            if self._storage_on:
                await self._restore()
            await self._start_declared_crons()
        except BaseException:
            self.configs.app_started = False
            self._stack = None
            await self._stop_jobs()
            await stack.aclose()
            raise
        log.info(
            "Jobify started: %d task(s), %d job(s) live", len(self._all_routes), len(self._jobs)
        )

    def _all_middleware(self) -> list[Any]:
        """Middleware of the app and of every included router, each once, app first."""
        found: list[Any] = []
        pending: list[Router] = [self]
        while pending:
            router = pending.pop(0)
            for mw in (*router._middleware, *router._outer_middleware):
                if not any(mw is seen for seen in found):
                    found.append(mw)
            pending.extend(router.sub_routers)
        return found

    async def _enter_lifespans(self, stack: contextlib.AsyncExitStack, router: Router) -> None:
        if router.lifespan is not None:
            value: Any = await stack.enter_async_context(router.lifespan(router))
            if isinstance(value, Mapping):
                router.state.update(value)
        for sub in router.sub_routers:
            await self._enter_lifespans(stack, sub)

    async def _start_declared_crons(self) -> None:
        for route in self._all_routes.values():
            spec = route.options.get("cron")
            if spec is None:
                continue
            cron = spec if isinstance(spec, Cron) else Cron(spec)
            job_id = f"{route.name}{CRON_JOB_SUFFIX}"
            existing = self._jobs.get(job_id)
            if existing is None and self._cluster is not None and route.is_persist:
                # every node declares it: the first to start stores the row, the
                # others arm that same row, so runs and counts are shared
                builder = route.schedule(*cron.args, **cron.kwargs)
                stored = await self._cluster.add_schedule_if_absent(
                    builder._declared_cron_row(cron, job_id)
                )
                await self._restore_row(stored)
                existing = self._jobs.get(job_id)
            if existing is not None:
                ctx = existing.cron_context
                if ctx is not None and ctx.cron.expression == cron.expression:
                    continue
            builder = route.schedule(*cron.args, **cron.kwargs)
            await builder.cron(cron, job_id=job_id, replace=True)

    async def _restore(self) -> None:
        cluster = self._cluster
        if cluster is None:
            rows = await self.configs.storage.get_schedules()
        else:
            rows = await cluster.join(self._adopt)
        restored = 0
        for row in rows:
            if row.job_id not in self._jobs and await self._restore_row(row):
                restored += 1
        if restored:
            log.info("restored %d stored job(s)", restored)

    async def _adopt(self, rows: Sequence[ScheduledJob]) -> None:
        """Arm rows the cluster storage took over from a node that died or left.

        A row already live here (a ``cron=`` task every node arms) is re-armed
        at the row's time when that is earlier: the run the dead node did not
        finish happens again (at-least-once).
        """
        if not self.configs.app_started:
            return  # stopping: the rows stay ours and go to the others when we leave
        adopted = 0
        for row in rows:
            try:
                job = self._jobs.get(row.job_id)
                if job is None:
                    adopted += await self._restore_row(row)
                elif job._task is None and row.next_run_at < job.exec_at:
                    await self._restore_row(row, reuse=job)
            except Exception:
                log.exception("could not arm adopted job %s (%s)", row.job_id, row.name)
        if adopted:
            log.info("adopted %d job(s) from another node", adopted)

    async def _restore_row(self, row: ScheduledJob, reuse: Job[Any] | None = None) -> bool:
        """Arm one stored row; an undecodable row or one of an unknown task is set aside."""
        route = self._all_routes.get(row.name)
        if route is None:
            await self._set_aside(
                row, f"no task named {row.name!r} is declared (was it renamed or removed?)"
            )
            return False
        try:
            arguments, trigger, cron_state = decode(
                row.message,
                spec=route.func_spec,
                serializer=self.configs.serializer,
                loader=self.configs.loader,
            )
            params = route.func_spec.params
            ordered = {n: arguments[n] for n in params if n in arguments}
            bound = inspect.BoundArguments(route.func_spec.signature, ordered)
            if len(ordered) != len(params) or _has_var_params(params):
                # every parameter present and none variadic always binds: the
                # check is skipped then (startup restore time, benchmarks/)
                route.func_spec.signature.bind(*bound.args, **bound.kwargs)
            builder = route.create_builder(bound)
            if reuse is not None:
                reuse = builder._detach(reuse)
            if isinstance(trigger, At):
                await builder._restore_at(row.job_id, row.next_run_at, reuse)
            else:
                assert cron_state is not None  # noqa: S101
                await builder._restore_cron(
                    row.job_id, trigger.cron, row.next_run_at, cron_state, reuse
                )
        except (MessageError, TypeError, ValueError) as exc:
            await self._set_aside(row, f"its message cannot be decoded: {exc}")
            return False
        return True

    async def _set_aside(self, row: ScheduledJob, reason: str) -> None:
        log.warning("stored job %s (%s) set aside: %s", row.job_id, row.name, reason)
        set_aside = getattr(self.configs.storage, "set_aside", None)
        if set_aside is not None:
            try:
                await set_aside(row.job_id, reason)
            except Exception:
                log.exception("could not set aside stored job %s", row.job_id)

    async def _stop_jobs(self) -> None:
        jobs = list(self._jobs.values())
        for job in jobs:
            job._durable = False
            handle = job._handle
            if handle is not None:
                handle.cancel()
                job._handle = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        for job in jobs:
            if not job.is_done():
                job.status = JobStatus.CANCELLED
            job._finish()
            self._unregister(job.id)
        if self._flush_task is not None:
            await asyncio.gather(self._flush_task, return_exceptions=True)

    async def shutdown(self) -> None:
        """Stop timers, cancel running jobs, close plugins, lifespans and storage.

        Durable jobs keep their stored rows, so they run after the next
        startup; a job cancelled mid-run runs again then (at-least-once).
        Calling it on a stopped app does nothing.
        """
        if not self.configs.app_started:
            return
        self.configs.app_started = False
        try:
            await self._stop_jobs()
        finally:
            stack, self._stack = self._stack, None
            if stack is not None:
                await stack.aclose()
        log.info("Jobify shut down")


_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def _has_var_params(params: Mapping[str, inspect.Parameter]) -> bool:
    return any(p.kind in _VARIADIC for p in params.values())


def _job_id_of(value: Any) -> str:
    hex_ = getattr(value, "hex", None)
    return hex_ if isinstance(hex_, str) else str(value)


async def _maybe_await(value: Any) -> None:
    if inspect.isawaitable(value):
        await value


async def _call_async(func: Callable[..., Any], app: Jobify) -> None:
    await _maybe_await(func(app=app))
