"""Structured logs: one JSON object per line, carrying the job run it was written in.

``[jobify.logging] json = true`` does two things. The app marks each job run
(:func:`enter_run`, called by the kernel's runner at the start of the run,
inside the run's own task), so that every line logged during the run, by
jobify or by the task's code, knows its job id, task, attempt and planned
time. And ``jobify run`` formats its log lines with :class:`JsonFormatter`::

    {"time": "2030-01-01T00:00:00.123Z", "level": "WARNING", "logger": "jobify",
     "message": "cron job nightly (report) did not start within its grace: 2.0 s late",
     "job_id": "nightly", "task": "report", "attempt": 1,
     "planned_at": "2030-01-01T00:00:00+00:00", "trace_id": "4bf9...", "span_id": "00f0..."}

With ``json = false`` (the default) the runner marks nothing: the choice is
made once when the app is built, and nothing is done per job.

An app that configures logging itself puts the formatter on its own handler
and keeps ``json = true`` in ``jobify.toml`` for the run fields::

    import logging
    from jobify.logs import JsonFormatter

    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler])

The run fields are read when a line is formatted, from the context of the
code that logs, so format in that thread (``StreamHandler``, ``FileHandler``);
a ``QueueHandler`` formats later in another thread, where no run is current.

**Fields from plugins.** :func:`add_fields` is the seam through which a
plugin adds fields to every JSON line without the kernel knowing it; the
OpenTelemetry plugin (jobify-otel) adds ``trace_id`` and ``span_id`` of the
current span this way. A provider is called once per formatted line, never
per job; it returns a mapping (or None for nothing) and must not raise.

Stdlib ``json`` is used here as an output format, not as a job serializer
(the kernel's purity test allows this module and the command line).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from jobify._kernel.job import Job
    from jobify._kernel.runnable import Runnable

__all__ = ("FieldsProvider", "JsonFormatter", "RunFields", "add_fields", "current_run", "use_json")

FieldsProvider = Callable[[], Mapping[str, Any] | None]
"""What :func:`add_fields` takes: called per formatted line, returns fields to add."""

_providers: list[FieldsProvider] = []


class RunFields:
    """The job run a log line belongs to: job id, task, planned time and attempt."""

    __slots__ = ("_runnable", "job_id", "planned_at", "task")

    def __init__(
        self, job_id: str, task: str, planned_at: datetime, runnable: Runnable[Any]
    ) -> None:
        """Describe one run; ``runnable`` counts the attempts as they happen."""
        self.job_id = job_id
        self.task = task
        self.planned_at = planned_at
        self._runnable = runnable

    @property
    def attempt(self) -> int:
        """The attempt running now: 1 for the first call of the task, 2 for its first retry."""
        return max(1, self._runnable.attempts)

    def as_dict(self) -> dict[str, Any]:
        """The fields of a JSON line."""
        return {
            "job_id": self.job_id,
            "task": self.task,
            "attempt": self.attempt,
            "planned_at": self.planned_at.isoformat(),
        }


_RUN: ContextVar[RunFields | None] = ContextVar("jobify_log_run", default=None)


def enter_run(job: Job[Any], planned_at: datetime) -> None:
    """Mark the current task as running ``job``; the kernel calls it when JSON logs are on.

    Each run has its own asyncio task (and so its own context): the mark
    ends with the task, and never leaks into another run.
    """
    _RUN.set(RunFields(job.id, job.route.name, planned_at, job.runnable))


def current_run() -> RunFields | None:
    """The run the calling code belongs to (only marked when JSON logs are on), if any."""
    return _RUN.get()


def add_fields(provider: FieldsProvider) -> Callable[[], None]:
    """Add ``provider``'s fields to every JSON log line; return the function that removes it.

    Adding the same provider twice adds it once.
    """
    if provider not in _providers:
        _providers.append(provider)

    def remove() -> None:
        if provider in _providers:
            _providers.remove(provider)

    return remove


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, run and plugin fields.

    ``time`` is UTC with milliseconds; an exception is ``exc_info``, its
    traceback as text. Values that JSON cannot hold are written with ``str``.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON."""
        seconds = int(record.created)
        millis = int((record.created - seconds) * 1000)
        data: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        run = _RUN.get()
        if run is not None:
            data.update(run.as_dict())
        for provider in _providers:
            try:
                fields = provider()
            except Exception:  # noqa: S112 - a log line is never lost to a plugin's error
                continue
            if fields:
                data.update(fields)
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def use_json(logger: logging.Logger | None = None) -> None:
    """Give every handler of ``logger`` (default: the root logger) a :class:`JsonFormatter`.

    ``jobify run`` calls it when ``[jobify.logging] json = true``: every line
    it writes is then JSON, jobify's and the app's alike (one format per stream).
    """
    target = logging.getLogger() if logger is None else logger
    formatter = JsonFormatter()
    for handler in target.handlers:
        handler.setFormatter(formatter)
