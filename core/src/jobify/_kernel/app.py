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
import inspect
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
from jobify._kernel.configuration import AppStatistics, JobifyConfiguration, NoStorage, Plugin
from jobify._kernel.control import JobControl
from jobify._kernel.declared import start_declared_crons
from jobify._kernel.interrupt import InterruptCatcher, raise_interrupt
from jobify._kernel.jobs import JobTable
from jobify._kernel.message import MessageCodec
from jobify._kernel.outcome import Outcome, decode_outcome
from jobify._kernel.pipeline import observer_middleware
from jobify._kernel.pools import WorkerPools
from jobify._kernel.registry import Registry, RootRoute, Router
from jobify._kernel.restore import Restorer
from jobify._kernel.runner import Alerts, JobRunner
from jobify._kernel.timer import TimerLoop
from jobify._kernel.upkeep import Upkeep
from jobify._kernel.writeback import WriteBehind
from jobify.exceptions import ConfigError
from jobify.storage import HistoryStorage, ResultStorage, RunRecord, SchedulerLock, Storage
from jobify.typeadapter import IdentityAdapter

if TYPE_CHECKING:
    import os
    from datetime import datetime
    from types import TracebackType

    from jobify._assembly.assemble import Assembly
    from jobify._kernel.clock import Clock
    from jobify._kernel.context import RouteOptions
    from jobify._kernel.job import Job
    from jobify._kernel.registry import Lifespan, MappingExceptionHandlers, Route
    from jobify._kernel.state import State
    from jobify._kernel.values import Cron
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
        timer = TimerLoop(tz=tz, clock=extra.clock)
        storage = asm.storage if stored else NoStorage()
        codec = MessageCodec(serializer=asm.serializer, dumper=dumper, loader=loader)
        writes = WriteBehind(
            storage,
            results=storage if extra.results_ttl and isinstance(storage, ResultStorage) else None,
            history=storage if extra.history and isinstance(storage, HistoryStorage) else None,
        )
        jobs = JobTable(
            app=self,
            storage=storage,
            stored=stored,
            codec=codec if asm.serializer is not None else None,
            timer=timer,
            writes=writes,
            new_id=args.new_job_id,
            producer=extra.role == "producer",
            observers_scheduled=asm.observers_scheduled,
            headers=asm.observers_headers,
        )
        self._runner = JobRunner(
            self, jobs, timer, observers_finished=asm.observers_finished,
            observers_missed=asm.observers_missed, alerts=extra.alerts,
            json_logs=extra.json_logs,
        )  # fmt: skip
        self.registry = Registry(self)
        restorer = Restorer(jobs, storage, self.registry.routes)
        self.control = JobControl(jobs, storage, restorer)
        """Pause, resume, run now, cancel, reschedule (also ``app.pause_job(...)`` etc.)."""
        self.configs = JobifyConfiguration(
            app=self, tz=tz, dumper=dumper, loader=loader, storage=storage,
            getloop=args.loop_factory, serializer=asm.serializer,
            worker_pools=WorkerPools(
                factories=asm.executors,
                thread=args.threadpool_executor,
                process=args.processpool_executor,
            ),
            cron_factory=asm.cron_factory or _no_cron_parser, uuid_generator=args.uuid_generator,
            jobs=jobs, timer=timer, restorer=restorer,
        )  # fmt: skip
        self._stack: contextlib.AsyncExitStack | None = None
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

    def statistics(self) -> AppStatistics:
        """A snapshot: tasks declared, jobs live and running, timers armed, deletes pending."""
        jobs = self.configs.jobs
        return AppStatistics(
            tasks=len(self.registry.routes),
            jobs_live=len(jobs.live),
            jobs_running=len(jobs.running),
            timers_armed=self.configs.timer.armed,
            pending_deletes=jobs.writes.pending,
        )

    # --- operating: control, outcomes, history --------------------------------------

    async def pause_job(self, job_id: str) -> bool:
        """Pause a job (kept, not run; a cron job keeps its schedule); False if unknown."""
        return await self.control.pause(job_id)

    async def resume_job(self, job_id: str) -> bool:
        """Resume a paused job; a cron job's misfire policy judges the runs it missed."""
        return await self.control.resume(job_id)

    async def run_job_now(self, job_id: str) -> bool:
        """One extra run of a job now (a cron job's schedule stays); False if unknown."""
        return await self.control.run_now(job_id)

    async def cancel_job(self, job_id: str) -> bool:
        """Cancel a job: it ends ``cancelled`` and its stored row goes; False if unknown."""
        return await self.control.cancel(job_id)

    async def reschedule_job(
        self, job_id: str, *, at: datetime | None = None, cron: str | Cron | None = None
    ) -> bool:
        """Move a job to a new time (``at``) or cron expression (``cron``); False if unknown."""
        return await self.control.reschedule(job_id, at=at, cron=cron)

    async def job_outcome(self, job_id: str) -> Outcome | None:
        """How a finished durable job ended, while the app keeps results (``results_ttl``).

        ``find_job`` forgets a job once it ends (as in jobify 0.14); this reads
        the outcome kept in storage, from any process on that storage (a
        producer too). None when it is not (or no longer) kept.
        """
        storage = self.configs.storage
        if not isinstance(storage, ResultStorage):
            return None
        outcome = await storage.get_outcome(job_id)
        if outcome is None:
            return None
        route = self.registry.routes.get(outcome.name)
        annotation = Any if route is None else route.func_spec.return_annotation
        return decode_outcome(outcome, self.configs.jobs.codec, annotation)

    async def job_history(
        self, job_id: str | None = None, *, limit: int = 50, failed_only: bool = False
    ) -> list[RunRecord]:
        """The latest runs, newest first, of one job or of all (with run history on)."""
        storage = self.configs.storage
        if not isinstance(storage, HistoryStorage):
            return []
        runs = await storage.get_runs(job_id=job_id, limit=limit, failed_only=failed_only)
        return [run for _, run in runs]

    def _start_upkeep(self, stack: contextlib.AsyncExitStack) -> None:
        writes = self.configs.jobs.writes
        storage = self.configs.storage
        upkeep = Upkeep(
            now=self.configs.timer.clock.wall,
            results=storage if writes.keeps_results else None,  # type: ignore[arg-type]
            results_ttl=self.extra.results_ttl,
            history=storage if writes.keeps_history else None,  # type: ignore[arg-type]
            retention=self.extra.history,
        )
        if upkeep.needed:
            upkeep.start()
            stack.push_async_callback(upkeep.stop)

    async def wait_all(self, timeout: float | None = None) -> None:  # noqa: ASYNC109 - reference API
        """Wait until no job is scheduled or running.

        Ctrl+C (SIGINT) while it waits makes it return normally, as with jobify
        0.14, so the program can log and shut down; the interrupt is delivered
        again once the app has shut down (``asyncio.run`` then ends with
        ``KeyboardInterrupt`` as usual).

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
        timer.serve(jobs, self._runner, configs.getloop(), claims=jobs.cluster is not None)
        stack = contextlib.AsyncExitStack()
        await stack.__aenter__()
        try:
            stack.push_async_callback(configs.worker_pools.shutdown)
            if self._stored:
                await configs.storage.startup()
                stack.push_async_callback(configs.storage.shutdown)
                if not producer and isinstance(configs.storage, SchedulerLock):
                    await configs.storage.lock_scheduler()  # one scheduler per database
            await self._start_extensions(stack)
            for plug in self._plugin_order:  # before the lifespans, as in jobify 0.14
                await plug.startup(self)
                self._started_plugins.append(plug)
            await self._enter_lifespans(stack, self)
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
                self._start_upkeep(stack)
            if not producer:
                await start_declared_crons(jobs, self.registry.routes, configs.restorer)
        except BaseException:
            configs.app_started = False
            self._stack = None
            await jobs.stop()
            try:
                await self._stop_plugins()
            finally:
                await stack.aclose()
            raise
        log.info(
            "Jobify started: %d task(s), %d job(s) live", len(self.registry.routes), len(jobs.live)
        )

    async def _stop_plugins(self) -> None:
        """``Plugin.shutdown()`` of the started plugins, last first; raises the first error."""
        error: BaseException | None = None
        while self._started_plugins:
            plug = self._started_plugins.pop()
            try:
                await plug.shutdown()
            except BaseException as exc:  # the others still stop
                error = error or exc
        if error is not None:
            raise error

    async def _start_extensions(self, stack: contextlib.AsyncExitStack) -> None:
        """Plugin distributions' startup hooks, then middleware that has a lifecycle."""
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

    def _all_middleware(self) -> list[Any]:
        """Middleware of the app and of every included router, each once, app first."""
        found: list[Any] = []
        pending: list[Router] = [self]
        while pending:
            router = pending.pop(0)
            for mw in (*router.middleware, *router.outer_middleware):
                if not any(mw is seen for seen in found):
                    found.append(mw)
            pending.extend(router.sub_routers)
        return found

    async def _enter_lifespans(self, stack: contextlib.AsyncExitStack, router: Router) -> None:
        if router.lifespan is not None:
            value: Any = await stack.enter_async_context(router.lifespan(router))
            if value is not None:  # a mapping or pairs update the state (TypeError otherwise)
                router.state.update(value)
        for sub in router.sub_routers:
            await self._enter_lifespans(stack, sub)

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
            await configs.jobs.stop(grace=self.extra.shutdown_grace)
            await self._stop_plugins()  # before the lifespans exit, as in jobify 0.14
        finally:
            stack, self._stack = self._stack, None
            if stack is not None:
                await stack.aclose()
        log.info("Jobify shut down")
        if self._interrupted:
            self._interrupted = False
            raise_interrupt()  # the Ctrl+C that ended wait_all()


def _no_cron_parser(expression: str) -> CronParser:
    msg = (
        f"cannot parse cron {expression!r}: no cron parser is installed. Install one "
        f"({install_hint('cron')}) or pass Jobify(cron_factory=...)"
    )
    raise RuntimeError(msg)


async def _maybe_await(value: Any) -> None:
    if inspect.isawaitable(value):
        await value


async def _call_async(func: Callable[..., Any], app: Jobify) -> None:
    await _maybe_await(func(app=app))
