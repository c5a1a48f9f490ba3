"""Core scheduling components for the jobify framework.

Declare tasks with ``@app.task``, run them now, after a delay, at a time or on
a cron schedule; durable jobs are stored and survive restarts. Storage,
serializers, type adapters, executors and cron parsers are plugin
distributions, chosen in ``jobify.toml`` or passed to ``Jobify(...)``.
"""

from importlib.metadata import PackageNotFoundError, version

from jobify._kernel.app import Jobify, JobifyConfiguration, Plugin
from jobify._kernel.builder import ScheduleBuilder
from jobify._kernel.context import JobContext, OuterContext
from jobify._kernel.job import CronContext, Job
from jobify._kernel.registry import JobRouter
from jobify._kernel.runnable import Runnable
from jobify._kernel.state import RequestState, State
from jobify._kernel.values import (
    INJECT,
    Cron,
    GracePolicy,
    JobStatus,
    MisfirePolicy,
    RunMode,
    SmartRetry,
)

try:
    __version__ = version("jobify-core")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = (
    "INJECT",
    "Cron",
    "CronContext",
    "GracePolicy",
    "Job",
    "JobContext",
    "JobRouter",
    "JobStatus",
    "Jobify",
    "JobifyConfiguration",
    "MisfirePolicy",
    "OuterContext",
    "Plugin",
    "RequestState",
    "RunMode",
    "Runnable",
    "ScheduleBuilder",
    "SmartRetry",
    "State",
)
