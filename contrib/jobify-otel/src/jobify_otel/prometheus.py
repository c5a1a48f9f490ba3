"""The Prometheus endpoint: the plugin's metrics in a private registry, served over HTTP.

Imported only when ``[jobify.metrics] listen`` is set. The families are the
ones :mod:`jobify_otel.metrics` defines, fed by the same measurements as the
OpenTelemetry instruments; the gauges read ``app.statistics()`` at scrape
time. The registry is the endpoint's own (not ``prometheus_client.REGISTRY``),
so the app's other metrics are neither served nor disturbed; the server is
prometheus-client's threaded one, stopped when the app shuts down.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from jobify_otel.config import Address
from jobify_otel.metrics import (
    JOBS_PENDING,
    JOBS_RUNNING,
    RUN_DURATION,
    RUN_LATENESS,
    RUN_RETRIES,
    RUNS,
    RUNS_MISSED,
    JobsNow,
)

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

__all__ = ("Endpoint", "PrometheusRecorder")


class _Jobs(Collector):
    """The two gauges, read from the started apps when Prometheus scrapes."""

    def __init__(self, jobs_now: JobsNow) -> None:
        self._jobs_now = jobs_now

    def _families(self, values: tuple[int, int] | None) -> list[GaugeMetricFamily]:
        out = []
        for index, metric in enumerate((JOBS_PENDING, JOBS_RUNNING)):
            family = GaugeMetricFamily(metric.prometheus, metric.description)
            if values is not None:
                family.add_metric([], values[index])
            out.append(family)
        return out

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return self._families(None)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        return self._families(self._jobs_now())


class PrometheusRecorder:
    """Records the plugin's metrics into its own ``CollectorRegistry``."""

    def __init__(self, jobs_now: JobsNow) -> None:
        """Create the families; the gauges read ``jobs_now`` at each scrape."""
        self.registry = CollectorRegistry()
        reg = self.registry
        self._runs = Counter(RUNS.prometheus, RUNS.description, RUNS.labels, registry=reg)
        self._duration = Histogram(
            RUN_DURATION.prometheus, RUN_DURATION.description, RUN_DURATION.labels,
            registry=reg, buckets=RUN_DURATION.buckets,
        )  # fmt: skip
        self._lateness = Histogram(
            RUN_LATENESS.prometheus, RUN_LATENESS.description, RUN_LATENESS.labels,
            registry=reg, buckets=RUN_LATENESS.buckets,
        )  # fmt: skip
        self._missed = Counter(
            RUNS_MISSED.prometheus, RUNS_MISSED.description, RUNS_MISSED.labels, registry=reg
        )
        self._retries = Counter(
            RUN_RETRIES.prometheus, RUN_RETRIES.description, RUN_RETRIES.labels, registry=reg
        )
        reg.register(_Jobs(jobs_now))
        self._tasks: dict[str, _TaskChildren] = {}

    def _children(self, task: str) -> _TaskChildren:
        """The labelled children of ``task``, looked up once rather than per run."""
        children = self._tasks.get(task)
        if children is None:
            children = self._tasks[task] = _TaskChildren(
                lateness=self._lateness.labels(task), retries=self._retries.labels(task)
            )
        return children

    def run_started(self, task: str, lateness: float | None) -> None:
        """Observe a run's lateness."""
        if lateness is not None:
            self._children(task).lateness.observe(lateness)

    def run_finished(self, task: str, status: str, duration: float) -> None:
        """Count a run that ended and observe its duration."""
        by_status = self._children(task).by_status
        pair = by_status.get(status)
        if pair is None:
            pair = by_status[status] = (
                self._runs.labels(task, status),
                self._duration.labels(task, status),
            )
        pair[0].inc()
        pair[1].observe(duration)

    def retried(self, task: str) -> None:
        """Count a retry."""
        self._children(task).retries.inc()

    def missed(self, task: str, kind: str) -> None:
        """Count a missed cron run."""
        self._missed.labels(task, kind).inc()


class _TaskChildren:
    """One task's labelled children."""

    __slots__ = ("by_status", "lateness", "retries")

    def __init__(self, *, lateness: Any, retries: Any) -> None:
        self.lateness = lateness
        self.retries = retries
        self.by_status: dict[str, tuple[Any, Any]] = {}


class Endpoint:
    """``/metrics`` over HTTP, from a thread, for one app's life."""

    def __init__(self, jobs_now: JobsNow) -> None:
        """Prepare the registry; nothing listens before :meth:`start`."""
        self.recorder = PrometheusRecorder(jobs_now)
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self, address: Address) -> Address:
        """Listen on ``address``; return the address bound (port 0 becomes the real port).

        Raises:
            OSError: the address cannot be bound (in use, not local...).
        """
        self._server, self._thread = start_http_server(
            address.port, address.host, registry=self.recorder.registry
        )
        return Address(address.host, int(self._server.server_address[1]))

    def stop(self) -> None:
        """Stop serving and close the socket."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
