"""The metrics, defined once, and their OpenTelemetry instruments.

Each :class:`Metric` names one measurement for both exports: the
OpenTelemetry instrument (``name``, attributes ``jobify.<label>``) and the
Prometheus family (``prometheus``, labels ``<label>``), so that the
Prometheus endpoint serves the same metrics as OpenTelemetry records. A
:class:`Recorder` receives each measurement; :class:`OtelRecorder` records
it through the OpenTelemetry API (a no-op until the app configures an SDK
``MeterProvider``), and the Prometheus recorder
(:mod:`jobify_otel.prometheus`) is added while an endpoint is served.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final, Protocol

import attrs
from opentelemetry.metrics import CallbackOptions, Observation

if TYPE_CHECKING:
    from opentelemetry.metrics import Meter

__all__ = (
    "JOBS_PENDING",
    "JOBS_RUNNING",
    "METRICS",
    "RUNS",
    "RUNS_MISSED",
    "RUN_DURATION",
    "RUN_LATENESS",
    "RUN_RETRIES",
    "JobsNow",
    "Metric",
    "OtelRecorder",
    "Recorder",
)

JobsNow = Callable[[], tuple[int, int]]
"""Returns the jobs pending (scheduled, not running) and running now, in every started app."""

DURATION_BUCKETS: Final = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
    600.0, 1800.0, 3600.0,
)  # fmt: skip
LATENESS_BUCKETS: Final = (
    0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
)  # fmt: skip


@attrs.frozen
class Metric:
    """One metric: its OpenTelemetry instrument and its Prometheus family."""

    name: str
    """The OpenTelemetry instrument's name."""
    prometheus: str
    """The Prometheus family's name (a counter's samples end in ``_total``)."""
    kind: str
    """``counter``, ``histogram`` or ``gauge``."""
    unit: str
    description: str
    labels: tuple[str, ...] = ()
    """Prometheus label names; the OpenTelemetry attributes are ``jobify.<label>``."""
    buckets: tuple[float, ...] = ()

    def attribute(self, label: str) -> str:
        """The OpenTelemetry attribute of ``label``."""
        return f"jobify.{label}"


RUNS: Final = Metric(
    "jobify.runs", "jobify_runs", "counter", "{run}",
    "Job runs that ended, by task and status (success, failed, timeout, cancelled...)",
    ("task", "status"),
)  # fmt: skip
RUN_DURATION: Final = Metric(
    "jobify.run.duration", "jobify_run_duration_seconds", "histogram", "s",
    "How long job runs took, retries included", ("task", "status"), DURATION_BUCKETS,
)  # fmt: skip
RUN_LATENESS: Final = Metric(
    "jobify.run.lateness", "jobify_run_lateness_seconds", "histogram", "s",
    "How late job runs started: start minus planned time", ("task",), LATENESS_BUCKETS,
)  # fmt: skip
JOBS_PENDING: Final = Metric(
    "jobify.jobs.pending", "jobify_jobs_pending", "gauge", "{job}",
    "Jobs scheduled and not running (app.statistics())",
)  # fmt: skip
JOBS_RUNNING: Final = Metric(
    "jobify.jobs.running", "jobify_jobs_running", "gauge", "{job}",
    "Jobs running now (app.statistics())",
)  # fmt: skip
RUNS_MISSED: Final = Metric(
    "jobify.runs.missed", "jobify_runs_missed", "counter", "{run}",
    "Cron runs that did not start (kind=start) or finish (kind=finish) within their "
    "[jobify.alerts] grace", ("task", "kind"),
)  # fmt: skip
RUN_RETRIES: Final = Metric(
    "jobify.run.retries", "jobify_run_retries", "counter", "{retry}",
    "Failed attempts that are retried", ("task",),
)  # fmt: skip
METRICS: Final = (
    RUNS, RUN_DURATION, RUN_LATENESS, JOBS_PENDING, JOBS_RUNNING, RUNS_MISSED, RUN_RETRIES,
)  # fmt: skip


class Recorder(Protocol):
    """Where each measurement goes; every method is called on the event loop, once per event."""

    def run_started(self, task: str, lateness: float | None) -> None:
        """A run started ``lateness`` seconds after its planned time (None: early, run now)."""

    def run_finished(self, task: str, status: str, duration: float) -> None:
        """A run ended with ``status`` after ``duration`` seconds."""

    def retried(self, task: str) -> None:
        """An attempt failed and is retried."""

    def missed(self, task: str, kind: str) -> None:
        """A cron run did not start (``kind="start"``) or finish (``"finish"``) within grace."""


class OtelRecorder:
    """Records the metrics through one OpenTelemetry ``Meter``."""

    __slots__ = ("_by_status", "_by_task", "_duration", "_lateness", "_missed", "_retries", "_runs")

    def __init__(self, meter: Meter, jobs_now: JobsNow) -> None:
        """Create the instruments on ``meter``; the gauges read ``jobs_now`` when collected."""
        self._runs = meter.create_counter(RUNS.name, RUNS.unit, RUNS.description)
        self._duration = meter.create_histogram(
            RUN_DURATION.name, RUN_DURATION.unit, RUN_DURATION.description,
            explicit_bucket_boundaries_advisory=RUN_DURATION.buckets,
        )  # fmt: skip
        self._lateness = meter.create_histogram(
            RUN_LATENESS.name, RUN_LATENESS.unit, RUN_LATENESS.description,
            explicit_bucket_boundaries_advisory=RUN_LATENESS.buckets,
        )  # fmt: skip
        self._missed = meter.create_counter(
            RUNS_MISSED.name, RUNS_MISSED.unit, RUNS_MISSED.description
        )
        self._retries = meter.create_counter(
            RUN_RETRIES.name, RUN_RETRIES.unit, RUN_RETRIES.description
        )

        def pending(_options: CallbackOptions) -> Iterable[Observation]:
            return (Observation(jobs_now()[0]),)

        def running(_options: CallbackOptions) -> Iterable[Observation]:
            return (Observation(jobs_now()[1]),)

        for metric, callback in ((JOBS_PENDING, pending), (JOBS_RUNNING, running)):
            meter.create_observable_gauge(
                metric.name, callbacks=[callback], unit=metric.unit, description=metric.description
            )
        # attribute mappings, made once per task (and status), not per run
        self._by_task: dict[str, dict[str, str]] = {}
        self._by_status: dict[tuple[str, str], dict[str, str]] = {}

    def _task(self, task: str) -> dict[str, str]:
        attributes = self._by_task.get(task)
        if attributes is None:
            attributes = self._by_task[task] = {"jobify.task": task}
        return attributes

    def run_started(self, task: str, lateness: float | None) -> None:
        """Record the lateness of a run that starts."""
        if lateness is not None:
            self._lateness.record(lateness, self._task(task))

    def run_finished(self, task: str, status: str, duration: float) -> None:
        """Count a run that ended, and its duration."""
        key = (task, status)
        attributes = self._by_status.get(key)
        if attributes is None:
            attributes = self._by_status[key] = {"jobify.task": task, "jobify.status": status}
        self._runs.add(1, attributes)
        self._duration.record(duration, attributes)

    def retried(self, task: str) -> None:
        """Count a retry."""
        self._retries.add(1, self._task(task))

    def missed(self, task: str, kind: str) -> None:
        """Count a missed cron run."""
        self._missed.add(1, {"jobify.task": task, "jobify.kind": kind})
