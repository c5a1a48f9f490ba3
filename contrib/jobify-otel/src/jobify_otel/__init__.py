"""OpenTelemetry spans and metrics for jobify, a Prometheus endpoint, and trace ids in JSON logs.

Installed, the plugin records (see the README for names, labels and costs):

- a span per job run, linked to the span that scheduled the job, also when
  the job ran in another process or after a restart;
- metrics: runs by task and status, run duration, lateness, jobs pending
  and running, missed cron runs by kind, retries;
- at ``jobify run``, a Prometheus endpoint from the same metrics when
  ``[jobify.metrics] listen`` is set (off by default, 127.0.0.1 by default);
- ``trace_id`` / ``span_id`` in the JSON log lines of ``[jobify.logging] json = true``.

Spans and metrics go to OpenTelemetry's global providers (set them up with
the SDK as usual); :func:`use_providers` points the plugin at others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobify_otel.config import MetricsOptions
from jobify_otel.metrics import METRICS, Metric
from jobify_otel.telemetry import SCOPE, TELEMETRY, VERSION

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

__all__ = ("METRICS", "SCOPE", "Metric", "MetricsOptions", "__version__", "use_providers")

__version__ = VERSION


def use_providers(
    tracer_provider: TracerProvider | None = None, meter_provider: MeterProvider | None = None
) -> None:
    """Send the plugin's spans and metrics to these providers (None: the global ones).

    For apps that keep their providers out of OpenTelemetry's globals, and
    for tests. Applies to every app of the process from the next run on.
    """
    TELEMETRY.use_providers(tracer_provider, meter_provider)
