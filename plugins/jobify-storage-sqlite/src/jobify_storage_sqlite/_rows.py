"""Stored values in and out: checking what callers pass, and turning it into SQL and back.

Everything a caller hands the storage is checked on the caller's side, before
anything is queued, so that a bad value fails its own call with a message
naming the field instead of failing the write batch it would have joined.
The same holds for reading: a stored row is decoded here, and a row whose
columns cannot be decoded is reported (and set aside) instead of failing the
read. Times are stored as ISO 8601 text in UTC with microseconds, which
sorts as it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from jobify import JobStatus
from jobify.storage import JobOutcome, RunRecord, ScheduledJob, StoredJob, checked_row
from jobify_storage_sqlite._schema import Layout, Names

__all__ = (
    "ERROR_LIMIT",
    "SUMMARY_LIMIT",
    "aware",
    "from_row",
    "from_row_leniently",
    "JobParams",
    "iso",
    "outcome_from",
    "outcome_params",
    "run_from",
    "run_params",
    "select_jobs",
    "stored_job",
    "to_params",
)

ERROR_LIMIT: Final = 2000
"""At most this many characters of a run's or outcome's error text are kept."""
SUMMARY_LIMIT: Final = 200
"""At most this many characters of a run's result summary (and error type) are kept."""
_STATUSES: Final = ", ".join(repr(s.value) for s in JobStatus)
_NO_TIME: Final = datetime.min.replace(tzinfo=UTC)


JobParams = tuple[str, str, bytes, str, str]
"""A job's row as SQL parameters: job_id, name, message, status, next_run_at."""


def to_params(job: ScheduledJob, where: str) -> JobParams:
    """Check one row on the caller's side and turn it into SQL parameters."""
    job = checked_row(job, where)
    when = job.next_run_at.astimezone(UTC).isoformat(timespec="microseconds")
    return job.job_id, job.name, job.message, job.status.value, when


def _read_time(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            try:  # a REAL written into the TEXT column is stored as its text
                seconds = float(value)
            except ValueError:
                msg = "expected ISO 8601 text or epoch seconds"
                raise ValueError(msg) from None
            when = datetime.fromtimestamp(seconds, UTC)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        when = datetime.fromtimestamp(value, UTC)
    else:
        msg = f"next_run_at {value!r} is neither ISO 8601 text nor epoch seconds"
        raise TypeError(msg)
    if when.utcoffset() is None:  # written by another tool: SQLite's own clock is UTC
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def from_row(row: Sequence[Any]) -> ScheduledJob:
    """Decode one stored row; raises ``ValueError`` or ``TypeError`` naming the column."""
    job_id, name, message, status, next_run_at = row[:5]
    if not isinstance(job_id, str):
        msg = f"job_id {job_id!r} is not text"
        raise TypeError(msg)
    if not isinstance(name, str):
        msg = f"name {name!r} is not text"
        raise TypeError(msg)
    if isinstance(message, str):
        message = message.encode()
    if not isinstance(message, bytes):
        msg = f"message {message!r} is not a blob"
        raise TypeError(msg)
    try:
        job_status = JobStatus(status)
    except ValueError:
        msg = f"status {status!r} is not a JobStatus ({_STATUSES})"
        raise ValueError(msg) from None
    try:
        when = _read_time(next_run_at)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        msg = f"next_run_at {next_run_at!r} is not a time: {exc}"
        raise ValueError(msg) from None
    return ScheduledJob(job_id, name, message, job_status, when)


def from_row_leniently(row: Sequence[Any]) -> ScheduledJob:
    """Decode a set-aside row as far as possible, for listing it.

    Unreadable columns become ``str(value)``, ``b""``, ``JobStatus.SCHEDULED``
    (what the kernel stores) and ``datetime.min`` in UTC; the set-aside reason
    names the column that was wrong.
    """
    job_id, name, message, status, next_run_at = row[:5]
    try:
        job_status = JobStatus(status)
    except ValueError:
        job_status = JobStatus.SCHEDULED
    try:
        when = _read_time(next_run_at)
    except (TypeError, ValueError, OverflowError, OSError):
        when = _NO_TIME
    if isinstance(message, str):
        message = message.encode()
    return ScheduledJob(
        job_id if isinstance(job_id, str) else str(job_id),
        name if isinstance(name, str) else str(name),
        message if isinstance(message, bytes) else b"",
        job_status,
        when,
    )


def stored_job(raw: Sequence[Any]) -> StoredJob:
    """A row with its set-aside reason and flags (columns 5 to 7) as a ``StoredJob``.

    A row whose own columns cannot be decoded comes back decoded leniently and
    set aside, with the reason naming the column (it is never restored).
    """
    reason = raw[5]
    try:
        row = from_row(raw)
    except (TypeError, ValueError) as exc:
        row = from_row_leniently(raw)
        if reason is None:
            reason = f"the stored row cannot be decoded: {exc}"
    return StoredJob(
        row, paused=bool(raw[6]), run_requested=bool(raw[7]),
        set_aside=None if reason is None else str(reason),
    )  # fmt: skip


def select_jobs(names: Names, layout: Layout, where: str) -> str:
    """SELECT of the columns :func:`stored_job` reads, from the jobs table, with ``where``."""
    return (
        "SELECT job_id, name, message, status, next_run_at, quarantined_reason, "  # noqa: S608
        f"{layout.paused}, {layout.run_requested} FROM {names.jobs} {where}"
    )


def iso(when: datetime) -> str:
    """An aware time as sortable ISO 8601 text in UTC, with microseconds."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def aware(where: str, field: str, value: Any) -> datetime:
    if not isinstance(value, datetime):
        msg = f"{where}: {field} must be a datetime, got {value!r}"
        raise TypeError(msg)
    if value.utcoffset() is None:
        msg = (
            f"{where}: {field} {value!r} is naive; pass an aware datetime, e.g. "
            "datetime.now(timezone.utc)"
        )
        raise ValueError(msg)
    return value


def _text(where: str, field: str, value: Any, limit: int | None = None) -> str | None:
    if value is None and limit is not None:
        return None
    if not isinstance(value, str):
        msg = f"{where}: {field} must be a str, got {value!r}"
        raise TypeError(msg)
    return value if limit is None else value[:limit]


def _status(where: str, value: Any) -> str:
    if type(value) is JobStatus:
        return value.value
    try:
        return JobStatus(value).value
    except ValueError:
        msg = f"{where}: status {value!r} is not a JobStatus; use {_STATUSES}"
        raise ValueError(msg) from None


def run_params(run: Any, where: str) -> tuple[Any, ...]:
    """Check one run record on the caller's side and turn it into SQL parameters."""
    if not isinstance(run, RunRecord):
        try:
            run = RunRecord(*run)
        except TypeError:
            msg = f"{where}: expected RunRecord values, got {run!r}"
            raise TypeError(msg) from None
    attempt = run.attempt
    if isinstance(attempt, bool) or not isinstance(attempt, int):
        msg = f"{where}: attempt must be an int, got {attempt!r}"
        raise TypeError(msg)
    return (
        _text(where, "job_id", run.job_id),
        _text(where, "task", run.task),
        iso(aware(where, "planned_at", run.planned_at)),
        iso(aware(where, "started_at", run.started_at)),
        iso(aware(where, "finished_at", run.finished_at)),
        _status(where, run.status),
        attempt,
        _text(where, "node", run.node),
        _text(where, "error_type", run.error_type, SUMMARY_LIMIT),
        _text(where, "error_message", run.error_message, ERROR_LIMIT),
        _text(where, "result_summary", run.result_summary, SUMMARY_LIMIT),
    )


def run_from(raw: Sequence[Any]) -> tuple[int, RunRecord]:
    run_id, job_id, task, planned, started, finished, status, attempt, node, *rest = raw
    error_type, error_message, summary = rest
    return int(run_id), RunRecord(
        job_id=job_id, task=task, planned_at=_read_time(planned), started_at=_read_time(started),
        finished_at=_read_time(finished), status=JobStatus(status), attempt=int(attempt),
        node=node, error_type=error_type, error_message=error_message, result_summary=summary,
    )  # fmt: skip


def outcome_params(outcome: Any, where: str) -> tuple[Any, ...]:
    """Check one outcome on the caller's side and turn it into SQL parameters."""
    if not isinstance(outcome, JobOutcome):
        try:
            outcome = JobOutcome(*outcome)
        except TypeError:
            msg = f"{where}: expected JobOutcome values, got {outcome!r}"
            raise TypeError(msg) from None
    result = outcome.result
    if result is not None and not isinstance(result, bytes | bytearray | memoryview):
        msg = f"{where}: result must be bytes or None, got {type(result).__name__}"
        raise TypeError(msg)
    return (
        _text(where, "job_id", outcome.job_id),
        _text(where, "name", outcome.name),
        _status(where, outcome.status),
        None if result is None else bytes(result),
        _text(where, "error", outcome.error, ERROR_LIMIT),
        iso(aware(where, "finished_at", outcome.finished_at)),
    )


def outcome_from(raw: Sequence[Any]) -> JobOutcome:
    job_id, name, status, result, error, finished = raw
    return JobOutcome(
        job_id, name, JobStatus(status), None if result is None else bytes(result), error,
        _read_time(finished),
    )  # fmt: skip
