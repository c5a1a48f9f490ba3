"""What middleware and tasks see: the run's context, the scheduling context, route options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Awaitable, Callable, Mapping
    from datetime import datetime

    from jobify._kernel.app import Jobify, JobifyConfiguration
    from jobify._kernel.builder import ScheduleBuilder
    from jobify._kernel.job import Job
    from jobify._kernel.runnable import FuncSpec, Runnable
    from jobify._kernel.state import RequestState, State
    from jobify._kernel.triggers import Trigger
    from jobify._kernel.values import Cron, RunMode, SmartRetry

__all__ = ("JobContext", "OuterContext", "RouteOptions")


class RouteOptions(TypedDict, total=False):
    """The options of ``@app.task(...)``; every key is optional.

    Attributes:
        name: the task's name, stored with its durable jobs (default:
            ``"module:function"``; a router's prefix is prepended).
        cron: run on this schedule from startup, as the job
            ``"<name>__jobify_cron_definition"``; a ``str`` or a ``Cron``.
        retry: retries after a failure: a number, or ``SmartRetry`` for
            backoff and exception filters (default 0).
        timeout: seconds a run may take; past it the job ends ``TIMEOUT``.
        durable: store the job so it survives a restart (default True).
        run_mode: ``RunMode.MAIN`` (the event loop; default for async
            functions), ``THREAD`` (default for sync ones) or ``PROCESS``.
        exception_handlers: ``{ExceptionType: handler}`` for this task,
            inside the router's and the app's.
        metadata: free data kept with the task, for middleware.
    """

    name: str
    cron: str | Cron
    retry: int | SmartRetry
    timeout: float
    durable: bool
    run_mode: RunMode
    exception_handlers: Mapping[type[BaseException], Callable[..., Any]]
    metadata: Mapping[str, Any]


class JobContext(NamedTuple):
    """Context injected into jobs and passed to inner middleware at run time.

    A task receives it with a parameter ``ctx: JobContext = INJECT``.

    Attributes:
        app: the app running the job.
        job: the job being run.
        state: the app's state (set by lifespans).
        runnable: the task function bound to this job's arguments.
        request_state: state for this run only, filled by middleware.
        route_options: the task's options.
        jobify_config: the app's resolved configuration.
        schedule_builder: the builder that scheduled the job.
    """

    app: Jobify
    job: Job[Any]
    state: State
    runnable: Runnable[Any]
    request_state: RequestState
    route_options: RouteOptions
    jobify_config: JobifyConfiguration
    schedule_builder: ScheduleBuilder[Any]


class OuterContext:
    """Context passed to outer middleware while a job is being scheduled.

    The last step of the outer chain persists the job (when ``is_persist``)
    with ``persist_job_hook`` and arms its timer with ``schedule_hook``.
    """

    __slots__ = (
        "app",
        "arguments",
        "func_spec",
        "is_force",
        "is_persist",
        "is_replace",
        "job",
        "jobify_config",
        "persist_job_hook",
        "request_state",
        "route_options",
        "runnable",
        "schedule_builder",
        "schedule_hook",
        "state",
        "trigger",
    )

    def __init__(
        self,
        *,
        app: Jobify,
        job: Job[Any],
        state: State,
        trigger: Trigger,
        runnable: Runnable[Any],
        arguments: dict[str, Any],
        func_spec: FuncSpec[Any],
        is_force: bool,
        is_persist: bool,
        is_replace: bool,
        route_options: RouteOptions,
        jobify_config: JobifyConfiguration,
        request_state: RequestState,
        persist_job_hook: Callable[[str, datetime, Trigger], Awaitable[None]],
        schedule_hook: Callable[[], asyncio.Handle],
        schedule_builder: ScheduleBuilder[Any],
    ) -> None:
        """Collect what an outer middleware may inspect or change."""
        self.app = app
        self.job = job
        self.state = state
        self.trigger = trigger
        self.runnable = runnable
        self.arguments = arguments
        self.func_spec = func_spec
        self.is_force = is_force
        self.is_persist = is_persist
        self.is_replace = is_replace
        self.route_options = route_options
        self.jobify_config = jobify_config
        self.request_state = request_state
        self.persist_job_hook = persist_job_hook
        self.schedule_hook = schedule_hook
        self.schedule_builder = schedule_builder

    def __repr__(self) -> str:
        return f"OuterContext(job={self.job!r}, trigger={self.trigger!r})"
