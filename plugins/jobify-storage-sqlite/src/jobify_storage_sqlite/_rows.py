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
from jobify.storage import (
    ERROR_LIMIT,
    SUMMARY_LIMIT,
    JobOutcome,
    RunRecord,
    ScheduledJob,
    StoredJob,
    checked_outcome,
    checked_row,
    checked_run,
)
from jobify_storage_sqlite._schema import Layout, Names

__all__ = (
    "ERROR_LIMIT",
    "SUMMARY_LIMIT",
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

_STATUSES: Final = ", ".join(repr(s.value) for s in JobStatus)
_STATUS_OF: Final = {s.value: s for s in JobStatus}
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
    A row as this storage writes it (text, a blob, a known status, a UTC time
    with its offset) is decoded without the checks that name a bad column:
    a startup reads every row through here.
    """
    job_id, name, message, status, next_run_at, reason = raw[:6]
    if (
        type(job_id) is str
        and type(name) is str
        and type(message) is bytes
        and type(next_run_at) is str
        and type(status) is str
        and status in _STATUS_OF
    ):
        try:
            when = datetime.fromisoformat(next_run_at)
        except ValueError:
            pass  # not ISO 8601: _read_time tries epoch seconds and names the column
        else:
            if when.tzinfo is UTC:
                return StoredJob(
                    ScheduledJob(job_id, name, message, _STATUS_OF[status], when),
                    paused=bool(raw[6]), run_requested=bool(raw[7]),
                    set_aside=None if reason is None else str(reason),
                )  # fmt: skip
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


def run_params(run: Any, where: str) -> tuple[Any, ...]:
    """Check one run record on the caller's side and turn it into SQL parameters."""
    run = checked_run(run, where)
    return (
        run.job_id, run.task, iso(run.planned_at), iso(run.started_at), iso(run.finished_at),
        run.status.value, run.attempt, run.node, run.error_type, run.error_message,
        run.result_summary,
    )  # fmt: skip


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
    outcome = checked_outcome(outcome, where)
    return (
        outcome.job_id, outcome.name, outcome.status.value, outcome.result, outcome.error,
        iso(outcome.finished_at),
    )  # fmt: skip


def outcome_from(raw: Sequence[Any]) -> JobOutcome:
    job_id, name, status, result, error, finished = raw
    return JobOutcome(
        job_id, name, JobStatus(status), None if result is None else bytes(result), error,
        _read_time(finished),
    )  # fmt: skip
