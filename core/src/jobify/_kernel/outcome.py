"""A finished job's outcome, as storage keeps it and as a producer reads it back.

When the app keeps results (``[jobify] results_ttl``), a durable job that ends
leaves a :class:`~jobify.storage.JobOutcome`: its status, its result encoded
by the app's serializer, or its error as bounded text. ``app.job_outcome(id)``
and a producer's ``await job`` read it back as :class:`Outcome`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from jobify._kernel.values import JobStatus
from jobify.storage import JobOutcome

if TYPE_CHECKING:
    from datetime import datetime

    from jobify._kernel.job import Job
    from jobify._kernel.message import MessageCodec

__all__ = ("ERROR_LIMIT", "Outcome", "RemoteJobError", "apply_outcome", "outcome_of")

ERROR_LIMIT = 2000
"""At most this many characters of an error's text are kept."""


class RemoteJobError(Exception):
    """A job ended with an error in another process; its text is all that is known here."""


class Outcome(NamedTuple):
    """How a finished durable job ended (``await app.job_outcome(job_id)``)."""

    job_id: str
    task: str
    status: JobStatus
    result: Any
    """The job's result (None unless it succeeded, or when it could not be stored)."""
    error: str | None
    """``"TypeName: message"`` of a failure, else None."""
    finished_at: datetime


def error_text(exc: BaseException | None) -> str | None:
    """``"TypeName: message"``, bounded; None for no exception."""
    if exc is None:
        return None
    return f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]


def outcome_of(job: Job[Any], codec: MessageCodec | None, now: datetime) -> JobOutcome:
    """The outcome ``job`` leaves in storage (a result that cannot be stored: noted as such)."""
    result: bytes | None = None
    error = error_text(job.exception) if job.status is not JobStatus.SUCCESS else None
    if job.status is JobStatus.SUCCESS and codec is not None:
        try:
            result = codec.encode_result(job.result(), job.route.func_spec.return_annotation)
        except Exception as exc:  # the job succeeded; only its result cannot be kept
            error = f"result not stored: {error_text(exc)}"
    return JobOutcome(job.id, job.route.name, job.status, result, error, now)


def decode_outcome(outcome: JobOutcome, codec: MessageCodec | None, annotation: Any) -> Outcome:
    """``outcome`` with its result decoded as ``annotation``."""
    result = None
    if outcome.result is not None and codec is not None:
        result = codec.decode_result(outcome.result, annotation)
    return Outcome(
        outcome.job_id, outcome.name, outcome.status, result, outcome.error, outcome.finished_at
    )


def apply_outcome(job: Job[Any], outcome: JobOutcome, codec: MessageCodec | None) -> None:
    """Make ``job`` (a producer's handle) show ``outcome``: status, result or error; it ends."""
    decoded = decode_outcome(outcome, codec, job.route.func_spec.return_annotation)
    if decoded.status is JobStatus.SUCCESS:
        job.set_result(decoded.result, status=JobStatus.SUCCESS)
    else:
        error = RemoteJobError(decoded.error or decoded.status.value)
        job.set_exception(error, status=decoded.status)
    job.end()
