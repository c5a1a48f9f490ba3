"""What the hooks do: a span per run, linked to the span that scheduled it, and the metrics.

**Trace context.** When a job is scheduled (``jobify_job_headers``) under a
valid span, the W3C ``traceparent`` (and ``tracestate``, baggage) of that
span is injected into the job's headers, which the kernel stores with a
durable job and hands back as ``job.headers`` at run time, in any process,
also after a restart.

**A span per run.** When the run starts (``jobify_job_started``) a
``CONSUMER`` span ``run <task>`` starts as the root of a new trace, with a
*link* to the scheduling span, rather than as its child: a run may start
hours after the request that scheduled it ended, in another process; a cron
job scheduled once runs thousands of times; and a producer's trace would
otherwise never end. This is what OpenTelemetry's messaging conventions
recommend for work that outlives its producer: the trace backend shows the
link both ways. The span is made current for the rest of the run's task,
so spans the task opens are its children and JSON log lines carry its ids.
It ends when the run ends (``jobify_job_finished``) with the status, the
attempt, and the error recorded; a run cancelled mid-way (``job.cancel()``,
shutdown) ends with status ``cancelled`` when its task ends.

The state of the runs in progress is keyed by the run's asyncio task (every
run has its own), so nothing is stored on the job.

**Cost.** What is recorded is decided when an app starts (and by
:meth:`Telemetry.use_providers`): with no tracing SDK as the global tracer
provider no span and no header is made; with no metrics SDK as the global
meter provider the OpenTelemetry instruments (no-ops then) are not called;
with neither, and no Prometheus endpoint, each observer returns at once.
Configure the SDK before the app starts, as for any instrumentation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Final

from opentelemetry import context as otel_context
from opentelemetry import metrics, propagate, trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from jobify import logs
from jobify.exceptions import ConfigError
from jobify_otel.metrics import OtelRecorder

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime, timedelta

    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, TracerProvider

    from jobify import Job, JobContext, Jobify
    from jobify_otel.config import MetricsOptions
    from jobify_otel.metrics import Recorder
    from jobify_otel.prometheus import Endpoint

__all__ = ("SCOPE", "TELEMETRY", "VERSION", "Telemetry", "trace_fields")

SCOPE: Final = "jobify_otel"
"""The instrumentation scope of the spans and metrics."""
VERSION: Final = "0.1.0"

log = logging.getLogger("jobify.otel")
_ROOT: Final = otel_context.Context()  # no parent: each run's span starts a trace


class _Run:
    """One run in progress: its job, task name, span (None when not traced) and start."""

    __slots__ = ("job", "span", "started", "task")

    def __init__(self, job: Job[Any], task: str, span: Span | None, started: float) -> None:
        self.job = job
        self.task = task
        self.span = span
        self.started = started


def trace_fields() -> Mapping[str, str] | None:
    """``trace_id`` and ``span_id`` of the current span, for JSON log lines (or None)."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return {"trace_id": f"{ctx.trace_id:032x}", "span_id": f"{ctx.span_id:016x}"}


def _is_sdk(provider: MeterProvider) -> bool:
    """Whether ``provider`` records: not the API's no-op, nor its proxy waiting for an SDK.

    The proxy's class is private to the API, so it is recognised by name; an
    unknown provider counts as one that records.
    """
    if isinstance(provider, metrics.NoOpMeterProvider):
        return False
    return type(provider).__name__ != "_ProxyMeterProvider"


def _links(headers: Mapping[str, str] | None) -> list[Link] | None:
    """A link to the span that scheduled the job, from its stored headers."""
    if not headers:
        return None
    producer = trace.get_current_span(propagate.extract(headers)).get_span_context()
    if not producer.is_valid:
        return None
    return [Link(producer, {"jobify.link": "scheduled_by"})]


class Telemetry:
    """The plugin's state in one process: providers, recorders, started apps, runs in progress."""

    def __init__(self) -> None:
        """Record to OpenTelemetry's global providers until :meth:`use_providers` says otherwise."""
        self.apps: list[Jobify] = []
        """The apps started with this plugin, whose jobs the gauges count."""
        self._runs: dict[asyncio.Task[Any], _Run] = {}
        self._global_otel: OtelRecorder | None = None
        self._extra: tuple[Recorder, ...] = ()
        self._endpoints: dict[int, Endpoint] = {}  # id(app) -> its Prometheus endpoint
        self._recorders: tuple[Recorder, ...] = ()
        self._tracing = False
        self._tracer_given = False
        self._metering = False
        self._meter_given = False
        self._active = False
        self._on_done = self._task_done  # one bound method, added to and removed from each run
        self.use_providers()

    # --- configuration ---------------------------------------------------------------

    def use_providers(
        self,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        """Send spans and metrics to these providers; None: OpenTelemetry's global ones."""
        self._tracer = trace.get_tracer(SCOPE, VERSION, tracer_provider=tracer_provider)
        self._tracer_given = tracer_provider is not None
        self._meter_given = meter_provider is not None
        if meter_provider is not None:
            otel = OtelRecorder(
                metrics.get_meter(SCOPE, VERSION, meter_provider=meter_provider), self.jobs_now
            )
        else:  # the global meter follows the global provider once set: instruments made once
            if self._global_otel is None:
                self._global_otel = OtelRecorder(metrics.get_meter(SCOPE, VERSION), self.jobs_now)
            otel = self._global_otel
        self._otel_recorder = otel
        self.refresh()

    def refresh(self) -> None:
        """Decide what each run records: spans, OpenTelemetry metrics, Prometheus, or nothing.

        Spans only when a tracing SDK is there to record them, OpenTelemetry
        metrics only when a metrics SDK is (the API's instruments are no-ops
        until then). Called when an app starts and when providers change.
        """
        no_tracer = (trace.ProxyTracerProvider, trace.NoOpTracerProvider)
        self._tracing = self._tracer_given or not isinstance(trace.get_tracer_provider(), no_tracer)
        self._metering = self._meter_given or _is_sdk(metrics.get_meter_provider())
        otel = (self._otel_recorder,) if self._metering else ()
        self._recorders = (*otel, *self._extra)
        self._active = self._tracing or bool(self._recorders)

    def add_recorder(self, recorder: Recorder) -> None:
        """Also send every measurement to ``recorder`` (a Prometheus registry)."""
        self._extra = (*self._extra, recorder)
        self.refresh()

    def remove_recorder(self, recorder: Recorder) -> None:
        """Stop sending measurements to ``recorder``."""
        self._extra = tuple(r for r in self._extra if r is not recorder)
        self.refresh()

    def jobs_now(self) -> tuple[int, int]:
        """Jobs pending (scheduled, not running) and running, summed over the started apps."""
        pending = running = 0
        for app in tuple(self.apps):  # may be read from a scraping thread
            stats = app.statistics()
            pending += stats.jobs_live - stats.jobs_running
            running += stats.jobs_running
        return pending, running

    # --- lifecycle -------------------------------------------------------------------

    def startup(self, app: Jobify) -> None:
        """Count ``app``'s jobs; serve ``[jobify.metrics] listen`` when the app runs jobs."""
        logs.add_fields(trace_fields)
        self.refresh()
        options: MetricsOptions | None = app.assembly.tables.get("metrics")
        address = None if options is None else options.address
        if options is not None and address is not None:
            if app.extra.role == "producer":
                log.info("[jobify.metrics] listen: not served by a producer (it runs no job)")
            else:
                from jobify_otel.prometheus import Endpoint

                endpoint = Endpoint(self.jobs_now)
                try:
                    bound = endpoint.start(address)
                except OSError as exc:
                    msg = (
                        f"{app.settings.where('metrics')} listen = {options.listen!r}: cannot "
                        f"listen on {address.host}:{address.port}: {exc}; choose another "
                        "address, or stop what holds it"
                    )
                    raise ConfigError(msg) from exc
                self._endpoints[id(app)] = endpoint
                self.add_recorder(endpoint.recorder)
                log.info("Prometheus metrics at %s", bound.url())
        self.apps.append(app)

    def shutdown(self, app: Jobify) -> None:
        """Stop counting ``app``'s jobs and serving its endpoint; end the spans of its lost runs."""
        if app in self.apps:
            self.apps.remove(app)
        endpoint = self._endpoints.pop(id(app), None)
        if endpoint is not None:
            self.remove_recorder(endpoint.recorder)
            endpoint.stop()
        for task in [t for t in self._runs if t.done()]:  # done callbacks that never ran
            self._task_done(task)

    # --- observers (per job: keep them lean) -------------------------------------------

    def headers(self, job: Job[Any]) -> dict[str, str] | None:
        """The W3C trace context of the span current where ``job`` is scheduled, if any."""
        del job
        if not self._tracing:
            return None
        try:
            if not trace.get_current_span().get_span_context().is_valid:
                return None
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
        except Exception:  # a scheduling call never fails because of telemetry
            log.exception("jobify-otel: could not read the current trace context")
            return None
        return carrier or None

    def started(self, context: JobContext) -> None:
        """Start the run's span, linked to its producer, and record its lateness."""
        if not self._active:
            return
        job = context.job
        name = job.route.name
        planned = job.exec_at
        lateness = (context.jobify_config.timer.clock.wall() - planned).total_seconds()
        for recorder in self._recorders:
            recorder.run_started(name, lateness if lateness >= 0 else None)
        span = self._start_span(job, name, planned) if self._tracing else None
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - the kernel runs every job in a task
            return
        self._runs[task] = _Run(job, name, span, time.perf_counter())
        task.add_done_callback(self._on_done)

    def _start_span(self, job: Job[Any], name: str, planned: datetime) -> Span | None:
        """The run's span, current for the rest of its task; None when it is not traced."""
        attributes: dict[str, str] = {
            "jobify.task": name,
            "jobify.job.id": job.id,
            "jobify.run.planned_at": planned.isoformat(),
        }
        cron = job.cron_expression
        if cron is not None:
            attributes["jobify.cron"] = cron
        span = self._tracer.start_span(
            f"run {name}",
            context=_ROOT,
            kind=SpanKind.CONSUMER,
            attributes=attributes,
            links=_links(job.headers),
        )
        if not span.get_span_context().is_valid:
            return None  # a no-op tracer: nothing to end
        # current for the rest of this run's own task, which ends with the run:
        # the token is never detached, the task's context is dropped with it
        otel_context.attach(trace.set_span_in_context(span))
        return span

    def finished(self, job: Job[Any]) -> None:
        """End the run's span with its status, attempt and error; count the run."""
        if not self._runs:
            return
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - the kernel runs every job in a task
            return
        run = self._runs.pop(task, None)
        if run is None:
            return
        task.remove_done_callback(self._on_done)
        status = job.status.value
        error = None if status == "success" else job.exception
        self._end(run, status, error, max(1, job.runnable.attempts))

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        """The run's task ended without ``finished``: it was cancelled."""
        run = self._runs.pop(task, None)
        if run is not None:
            self._end(run, "cancelled", None, max(1, run.job.runnable.attempts))

    def _end(self, run: _Run, status: str, error: BaseException | None, attempt: int) -> None:
        duration = time.perf_counter() - run.started
        for recorder in self._recorders:
            recorder.run_finished(run.task, status, duration)
        span = run.span
        if span is None:
            return
        span.set_attributes({"jobify.status": status, "jobify.run.attempt": attempt})
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        span.end()

    def _run_of(self, job: Job[Any]) -> _Run | None:
        task = asyncio.current_task()
        run = self._runs.get(task) if task is not None else None
        if run is not None and run.job is job:
            return run
        # a middleware may run the task in a task of its own (the queue's workers)
        return next((r for r in self._runs.values() if r.job is job), None)

    def retried(self, context: JobContext, attempt: int, error: BaseException) -> None:
        """Count a retry; add it to the run's span as an event."""
        if not self._active:
            return
        job = context.job
        for recorder in self._recorders:
            recorder.retried(job.route.name)
        run = self._run_of(job)
        if run is not None and run.span is not None:
            run.span.add_event(
                "retry",
                {
                    "jobify.run.attempt": attempt,
                    "exception.type": type(error).__qualname__,
                    "exception.message": str(error),
                },
            )

    def missed(self, job: Job[Any], kind: str, late: timedelta) -> None:
        """Count a missed cron run; a run still going gets an event on its span."""
        for recorder in self._recorders:
            recorder.missed(job.route.name, kind)
        if kind == "finish":
            run = self._run_of(job)
            if run is not None and run.span is not None:
                late_s = late.total_seconds()
                run.span.add_event("missed", {"jobify.kind": kind, "jobify.late_s": late_s})


TELEMETRY: Final = Telemetry()
"""The one instance the hooks use."""
