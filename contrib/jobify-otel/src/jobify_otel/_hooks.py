"""Hook implementations of jobify-otel: spans, metrics, a Prometheus endpoint, log trace ids.

Installed and not disabled (``[jobify.plugins] disable = ["otel"]``), the
plugin implements the observer hooks, so the kernel calls them per job; when
it is absent or disabled the kernel resolved no observer at assembly and
calls nothing. The OpenTelemetry API is imported with this module (it is what
the observers use); prometheus-client only when ``[jobify.metrics] listen``
is set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobify.hookspecs import hookimpl
from jobify_otel.telemetry import TELEMETRY

if TYPE_CHECKING:
    from datetime import timedelta

    from jobify import Job, JobContext, Jobify
    from jobify.hookspecs import RegisterTable

__all__ = (
    "jobify_job_finished",
    "jobify_job_headers",
    "jobify_job_missed",
    "jobify_job_retried",
    "jobify_job_started",
    "jobify_register_config_tables",
    "jobify_shutdown",
    "jobify_startup",
)

_telemetry = TELEMETRY


@hookimpl
def jobify_register_config_tables(register: RegisterTable) -> None:
    """Claim ``[jobify.metrics]``: where the Prometheus endpoint listens."""
    register("metrics", "jobify_otel.config:MetricsOptions")


@hookimpl
def jobify_startup(app: Jobify) -> None:
    """Count the app's jobs; serve Prometheus when ``[jobify.metrics] listen`` is set."""
    _telemetry.startup(app)


@hookimpl
def jobify_shutdown(app: Jobify) -> None:
    """Stop the app's endpoint."""
    _telemetry.shutdown(app)


@hookimpl
def jobify_job_headers(job: Job[Any]) -> dict[str, str] | None:
    """Store the current W3C trace context with the job being scheduled."""
    return _telemetry.headers(job)


@hookimpl
def jobify_job_started(context: JobContext) -> None:
    """Start the run's span (linked to its producer); record its lateness."""
    _telemetry.started(context)


@hookimpl
def jobify_job_finished(job: Job[Any]) -> None:
    """End the run's span; count the run and its duration."""
    _telemetry.finished(job)


@hookimpl
def jobify_job_retried(context: JobContext, attempt: int, error: BaseException) -> None:
    """Count a retry."""
    _telemetry.retried(context, attempt, error)


@hookimpl
def jobify_job_missed(job: Job[Any], kind: str, late: timedelta) -> None:
    """Count a missed cron run (did not start / finish within its grace)."""
    _telemetry.missed(job, kind, late)
