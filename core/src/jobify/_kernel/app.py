"""``Jobify``: the app. It owns the kernel's rooms and their lifecycle.

Constructing an app assembles it once (:mod:`jobify._assembly`): plugin
distributions are discovered, ``jobify.toml`` is read and each capability is
resolved (an instance passed here always wins over the file). The app then
owns four rooms, each one object passed to the others that need it:

- the **registry** (:class:`~jobify._kernel.registry.Registry`): its tasks;
- the **job table** (:class:`~jobify._kernel.jobs.JobTable`): its live jobs,
  and the one room that talks to storage;
- the **timer loop** (:class:`~jobify._kernel.timer.TimerLoop`): running jobs
  when they are due, on the app's clock;
- each task's **middleware pipeline** (:mod:`jobify._kernel.pipeline`), built
  by the registry at startup.

Nothing outlives ``async with app``: every resource started at startup is
closed at shutdown through one ``AsyncExitStack``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Self
from zoneinfo import ZoneInfo

from jobify._assembly.assemble import assemble
from jobify._assembly.config import Settings, load_settings
from jobify._assembly.seed import install_hint
from jobify._kernel.arguments import (
    DEFAULT_CRON,
    UNSET,
    AppArguments,
    ExtraArguments,
    HistoryRetention,
)
from jobify._kernel.configuration import AppStatistics, JobifyConfiguration, Plugin
from jobify._kernel.declared import start_declared_crons
from jobify._kernel.interrupt import InterruptCatcher, raise_interrupt
from jobify._kernel.lifecycle import drain, enter_lifespans, start_extensions, stop_plugins
from jobify._kernel.operating import Operating
from jobify._kernel.pipeline import observer_middleware
from jobify._kernel.registry import Registry, RootRoute, Router
from jobify._kernel.rooms import build_rooms
from jobify._kernel.runner import Alerts
from jobify.exceptions import ConfigError
from jobify.storage import SchedulerLock, Storage
from jobify.typeadapter import IdentityAdapter

if TYPE_CHECKING:
    import os
    from types import TracebackType

    from jobify._assembly.assemble import Assembly
    from jobify._kernel.clock import Clock
    from jobify._kernel.context import RouteOptions
    from jobify._kernel.job import Job
    from jobify._kernel.registry import Lifespan, MappingExceptionHandlers, Route
    from jobify._kernel.state import State
    from jobify.crontab import CronParser
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware
    from jobify.serializers import Serializer
    from jobify.typeadapter import Dumper, Loader

__all__ = ("UNSET", "AppStatistics", "Jobify", "JobifyConfiguration", "Plugin")

log = logging.getLogger("jobify")

# What Jobify.from_config() hands the Jobify(...) call it makes: the settings and the
# arguments beyond the reference's signature. A plain constructor call reads none.
_FROM_CONFIG: ContextVar[tuple[Settings, ExtraArguments] | None] = ContextVar(
    "jobify_from_config", default=None
)


class Jobify(Operating, Router):
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
        """Assemble an app; ``jobify.toml`` (if found) fills what is not passed here.

        Args:
            tz: the time zone of cron schedules and ``now()`` (default:
                ``[jobify] tz``, else UTC).
            state: the app's initial state.
            dumper: turns typed task arguments into JSON-compatible data
                (a type adapter); with ``loader``, plain JSON is the default
                serializer.
            loader: turns stored data back into the annotated types.
            storage: a ``Storage``, or False for none (default: the
                configured or default storage, SQLite in ``./jobify.db``).
            lifespan: an async context manager factory run around the app's
                life; a mapping it yields updates ``state``.
            serializer: encodes job messages (default: the configured one).
            middleware: inner middleware, around each execution.
            outer_middleware: outer middleware, around each scheduling.
            cron_factory: ``(expression) -> CronParser`` (default: the
                configured cron parser, croniter).
            loop_factory: returns the event loop the app runs on.
            exception_handlers: ``{ExceptionType: handler}`` for every task.
            threadpool_executor: the pool of ``RunMode.THREAD`` tasks
                (default: the configured one).
            processpool_executor: the pool of ``RunMode.PROCESS`` tasks.
            route_class: the class of the app's tasks.
            plugins: lifecycle ``Plugin`` objects (``startup(app)``,
                ``shutdown()``).
            uuid_generator: makes the ids of jobs scheduled without one.
        """
        args = AppArguments(
            tz=tz, state=state, dumper=dumper, loader=loader, storage=storage,
            lifespan=lifespan, serializer=serializer, middleware=middleware,
            outer_middleware=outer_middleware, cron_factory=cron_factory,
            loop_factory=loop_factory, exception_handlers=exception_handlers,
            threadpool_executor=threadpool_executor, processpool_executor=processpool_executor,
            route_class=route_class, plugins=plugins, uuid_generator=uuid_generator,
        )  # fmt: skip
        given = _FROM_CONFIG.get()
        if given is None:
            settings = load_settings()
            extra = ExtraArguments.from_settings(settings)
        else:
            settings, extra = given
        _FROM_CONFIG.set(None)  # an app built inside this one reads its own
        super().__init__(
            state=state,
            lifespan=lifespan,
            middleware=middleware,
            outer_middleware=outer_middleware,
            exception_handlers=exception_handlers,
        )
        self.arguments = args
        self.settings = settings
        self.assembly = self._assemble(args, settings, extra)
        self._build_rooms(args, settings, extra)

    @classmethod
    def from_config(
        cls,
        path: str | os.PathLike[str] | None = None,
        /,
        *,
        hook_plugins: Sequence[object] = (),
        autoload: bool = True,
        clock: Clock | None = None,
        role: str | None = None,
        shutdown_grace: float | None = None,
        results_ttl: float | None = None,
        history: HistoryRetention | None = None,
        alerts: Alerts | None = None,
        **kwargs: Any,
    ) -> Self:
        """Assemble an app from a config file; keyword arguments win over it.

        Args:
            path: a ``jobify.toml`` or a ``pyproject.toml`` with ``[tool.jobify]``;
                None runs the usual lookup.
            hook_plugins: extra plugin objects or modules with ``@hookimpl``
                functions, registered after the discovered ones.
            autoload: False skips the entry-point scan.
            clock: the clock the app's timer loop runs on (tests pass
                ``jobify.testing.clock.FakeClock``); the system clock when None.
            role: ``"scheduler"`` (stores and runs jobs) or ``"producer"`` (only
                stores them; the scheduler of the same storage runs them).
            shutdown_grace: seconds running jobs get to finish at shutdown.
            results_ttl: seconds the outcome of a finished durable job is kept
                (0: not kept).
            history: keep a record per run, this long (None: as the file says).
            alerts: when a cron run counts as missed (None: as the file says).
            **kwargs: any argument of ``Jobify(...)``.

        Each of ``role``, ``shutdown_grace``, ``results_ttl``, ``history`` and
        ``alerts`` left None takes the file's value (``[jobify]``), else the default.
        """
        settings = Settings.from_toml(path) if path is not None else load_settings()
        extra = ExtraArguments.from_settings(
            settings, hook_plugins=tuple(hook_plugins), autoload=autoload, clock=clock,
            role=role, shutdown_grace=shutdown_grace, results_ttl=results_ttl,
            history=history, alerts=alerts,
        )  # fmt: skip
        token = _FROM_CONFIG.set((settings, extra))
        try:
            return cls(**kwargs)
        finally:
            _FROM_CONFIG.reset(token)

    def _assemble(self, args: AppArguments, settings: Settings, extra: ExtraArguments) -> Assembly:
        storage = args.storage
        dumper, loader = args.dumper, args.loader
        asm = assemble(
            settings,
            plugins=extra.hook_plugins,
            autoload=extra.autoload,
            storage=None if storage is UNSET else storage,
            serializer=args.serializer,
            typeadapter=dumper if dumper is not None and dumper is loader else None,
            typed=dumper is not None or loader is not None,
            cron_factory=None if args.cron_factory is DEFAULT_CRON else args.cron_factory,
        )  # fmt: skip
        if asm.storage not in (None, False) and asm.serializer is None:
            msg = (
                f"storage {type(asm.storage).__name__} needs a serializer, and none is "
                f"installed: {install_hint('serializer')}, or pass Jobify(serializer=...)"
            )
            raise ConfigError(msg)
        return asm

    def _build_rooms(self, args: AppArguments, settings: Settings, extra: ExtraArguments) -> None:
        asm = self.assembly
        stored = asm.storage not in (None, False)
        adapter = asm.typeadapter or IdentityAdapter()
        dumper, loader = args.dumper or adapter, args.loader or adapter
        tz = args.tz or ZoneInfo(settings.tz or "UTC")
        self._stored = stored
        self._middleware[:0] = list(asm.middleware)
        self._outer_middleware[:0] = list(asm.outer_middleware)
        self._observer_middleware = (
            (observer_middleware(asm.observers_started),) if asm.observers_started else ()
        )
        self.route_class = args.route_class
        self.plugins: set[Plugin] = set()
        self._plugin_order: list[Plugin] = []
        self._started_plugins: list[Plugin] = []
        for plug in args.plugins:
            self.add_plugin(plug)
        self.extra = extra
        self.registry = Registry(self)
        self.configs = build_rooms(self, asm, args, extra, tz=tz, dumper=dumper, loader=loader)
        self.control = self.configs.control
        """Pause, resume, run now, cancel, reschedule (also ``app.pause_job(...)`` etc.)."""
        self._stack: contextlib.AsyncExitStack | None = None
        self._draining: list[Any] = []
        self._interrupted = False  # a SIGINT ended wait_all(): raised again after shutdown

    def __repr__(self) -> str:
        return "<Jobify>"

    # --- declaring -------------------------------------------------------------------

    def add_route(
        self, name: str, func: Callable[..., Any], options: RouteOptions
    ) -> Route[Any, Any]:
        """Declare ``func`` as a task of the app under ``name``."""
        self.registry.check_open(f"register task {name!r}")
        route: RootRoute[Any, Any] = self.route_class(
            name=name, func=func, options=options, app=self
        )
        self.registry.add(route)
        self._routes[name] = route
        return route

    def remove_route(self, name: str) -> None:
        """Forget the app's task ``name``.

        Raises:
            KeyError: no task of the app has that name.
        """
        self.registry.remove(name)
        super().remove_route(name)

    @property
    def routes(self) -> Iterator[Route[Any, Any]]:
        """The app's tasks; once it runs, every task, routers' included (as jobify 0.14)."""
        if self.configs.app_started:
            yield from self.registry.routes.values()
        else:
            yield from super().routes

    def add_middleware(self, middleware: BaseMiddleware) -> None:
        """Append an inner middleware; only before the app starts."""
        self.registry.check_open("add_middleware")
        super().add_middleware(middleware)

    def add_outer_middleware(self, middleware: BaseOuterMiddleware) -> None:
        """Append an outer middleware; only before the app starts."""
        self.registry.check_open("add_outer_middleware")
        super().add_outer_middleware(middleware)

    def add_exception_handler(
        self, exc_class: type[BaseException], handler: Callable[..., Any]
    ) -> None:
        """Handle ``exc_class`` (and subclasses) raised by any task; only before the app starts."""
        self.registry.check_open("add_exception_handler")
        super().add_exception_handler(exc_class, handler)

    def add_plugin(self, plug: Plugin, /) -> None:
        """Register a lifecycle plugin (``startup(app)`` / ``shutdown()``)."""
        if not isinstance(plug, Plugin):
            msg = f"add_plugin(): {plug!r} has no startup(app) / shutdown() methods"
            raise TypeError(msg)
        if plug not in self.plugins:
            self.plugins.add(plug)
            self._plugin_order.append(plug)

    # --- live jobs -------------------------------------------------------------------

    def find_job(self, id_: str, /) -> Job[Any] | None:
        """The live (scheduled or running) job with this id, if any."""
        return self.configs.jobs.get(id_)

    def get_active_jobs(self) -> list[Job[Any]]:
        """Every live job: scheduled, running, or a cron job between runs."""
        return list(self.configs.jobs.live.values())

    async def wait_all(self, timeout: float | None = None) -> None:  # noqa: ASYNC109 - reference API
        """Wait until no job is scheduled or running.

        Ctrl+C (SIGINT) while it waits makes it return normally (as jobify 0.14),
        and raised again once the app has shut down.

        Raises:
            TimeoutError: ``timeout`` seconds passed first.
        """
        jobs = self.configs.jobs
        if not jobs.live:
            return
        catcher = InterruptCatcher.install(asyncio.get_running_loop(), jobs.wake_idle)
        try:
            await jobs.wait_idle(timeout)
        finally:
            if catcher is not None:
                self._interrupted = catcher.uninstall() or self._interrupted

    # --- lifecycle -------------------------------------------------------------------

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
        """Start the app (nothing happens if it runs already), in this order.

        Storage, plugin-distribution startup hooks, middleware with a
        ``startup``, ``Plugin.startup(app)`` objects, then lifespans (app
        first, then routers); from here jobs can be scheduled: stored jobs are
        restored and the ``cron=`` tasks start. A failure on the way undoes
        what was started and re-raises.
        """
        configs = self.configs
        if configs.app_started:
            return
        jobs, timer = configs.jobs, configs.timer
        producer = jobs.producer
        timer.serve(jobs, self.configs.runner, configs.getloop(), claims=jobs.cluster is not None)
        stack = contextlib.AsyncExitStack()
        await stack.__aenter__()
        try:
            stack.push_async_callback(configs.worker_pools.shutdown)
            if self._stored:
                await configs.storage.startup()
                stack.push_async_callback(configs.storage.shutdown)
                if not producer and isinstance(configs.storage, SchedulerLock):
                    await configs.storage.lock_scheduler()  # one scheduler per database
            self._draining = await start_extensions(self, stack)
            for plug in self._plugin_order:  # before the lifespans, as in jobify 0.14
                await plug.startup(self)
                self._started_plugins.append(plug)
            await enter_lifespans(stack, self)
            self.registry.build(
                middleware=(*self._observer_middleware, *self._middleware),
                outer_middleware=self._outer_middleware,
                stored=self._stored,
                retried=self.assembly.observers_retried,
            )
            configs.app_started = True
            self._stack = stack
            if self._stored and not producer:
                restored = await configs.restorer.restore()
                stack.push_async_callback(configs.restorer.stop)
                if restored:
                    log.info("restored %d stored job(s)", restored)
                self.start_upkeep(stack)
            if not producer:
                await start_declared_crons(jobs, self.registry.routes, configs.restorer)
        except BaseException:
            configs.app_started = False
            self._stack = None
            await jobs.stop()
            try:
                await stop_plugins(self._started_plugins)
            finally:
                await stack.aclose()
            raise
        log.info(
            "Jobify started: %d task(s), %d job(s) live", len(self.registry.routes), len(jobs.live)
        )

    async def shutdown(self) -> None:
        """Stop timers, cancel running jobs, close plugins, lifespans and storage.

        Durable jobs keep their stored rows, so they run after the next
        startup; a job cancelled mid-run runs again then (at-least-once).
        Calling it on a stopped app does nothing.
        """
        configs = self.configs
        if not configs.app_started:
            return
        configs.app_started = False
        try:
            configs.timer.stop()
            try:
                await drain(self._draining)  # queued executions run (as jobify 0.14)
            finally:
                await configs.jobs.stop(grace=self.extra.shutdown_grace)
            await stop_plugins(
                self._started_plugins
            )  # before the lifespans exit, as in jobify 0.14
        finally:
            stack, self._stack = self._stack, None
            if stack is not None:
                await stack.aclose()
        log.info("Jobify shut down")
        if self._interrupted:
            self._interrupted = False
            raise_interrupt()  # the Ctrl+C that ended wait_all()
