"""Checking what callers give ``PostgresStorage``, before anything is sent to the server.

The options' validators (the storage's attrs fields use them) and the checks
of the calls' arguments: job ids, rows (PostgreSQL text holds no NUL
character), the aware times of claimed runs. A bad value raises
``TypeError`` or ``ValueError`` naming the call, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit

import attrs

from jobify import options
from jobify.storage import ScheduledJob, checked_row
from jobify_storage_postgres._connection import mask

__all__ = (
    "NODE_NAME",
    "POOL_SIZE",
    "SCHEMA",
    "check_due",
    "check_dsn",
    "check_id",
    "checked",
    "checked_advance",
    "checked_ids",
    "checked_release",
)

# --- options -------------------------------------------------------------------


def check_dsn(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """The ``dsn`` option: a ``postgresql://`` or ``postgres://`` URL (required)."""
    example = "e.g. dsn='postgresql://jobify:secret@db.example:5432/jobs'"
    if value is None:
        msg = (
            "PostgresStorage(dsn=None): the dsn option is required: a PostgreSQL URL; "
            f'{example} (in jobify.toml: dsn = "postgresql://..." under [jobify.storage])'
        )
        raise ValueError(msg)
    if not isinstance(value, str):
        msg = (
            f"PostgresStorage(dsn={value!r}): expected a str, got {type(value).__name__}; {example}"
        )
        raise TypeError(msg)
    if urlsplit(value).scheme not in ("postgresql", "postgres"):
        msg = (
            f"PostgresStorage(dsn={mask(value)!r}): not a PostgreSQL URL (it must start with "
            f"postgresql:// or postgres://); {example}"
        )
        raise ValueError(msg)


SCHEMA: Final = options.identifier(
    kind="schema name", lowercase=True, max_length=55, reserved_prefix="pg_", default="jobify"
)
NODE_NAME: Final = options.optional(
    options.text(
        min_length=1,
        max_length=40,
        printable=True,
        fix="it prefixes the node id",
        example="worker-1",
    )
)
POOL_SIZE: Final = options.positive_int(fix="at least 1 connection is needed", example=4)


# --- the calls' arguments --------------------------------------------------------


def checked(job: ScheduledJob, where: str) -> ScheduledJob:
    """Check one row on the caller's side; PostgreSQL text cannot hold NUL characters."""
    return checked_row(job, where, allow_nul=False)


def check_id(where: str, job_id: Any) -> str:
    """``job_id``, which must be a ``str``."""
    if not isinstance(job_id, str):
        msg = f"{where}: job ids must be str, got {job_id!r}"
        raise TypeError(msg)
    return job_id


def check_due(where: str, job_id: str, due: Any) -> None:
    """Refuse a run's time that is not an aware ``datetime``."""
    if not isinstance(due, datetime) or due.utcoffset() is None:
        msg = f"{where}: job {job_id!r}: the run's time must be an aware datetime, got {due!r}"
        raise TypeError(msg)


def checked_ids(where: str, job_ids: Sequence[str]) -> list[str]:
    """The job ids of ``delete_schedule_many``: a sequence of ``str``, not one string."""
    if isinstance(job_ids, str | bytes):
        msg = (
            f"{where}: expected a sequence of job ids, got one string {job_ids!r}; "
            f"pass [{job_ids!r}] or call delete_schedule({job_ids!r})"
        )
        raise TypeError(msg)
    return [check_id(where, job_id) for job_id in job_ids]


def checked_advance(where: str, row: ScheduledJob, claimed: datetime) -> ScheduledJob:
    """The row of an ``advance``: a good row, an aware ``claimed``, and never moved back."""
    row = checked(row, where)
    check_due(where, row.job_id, claimed)
    if row.next_run_at < claimed:
        msg = (
            f"{where}: row {row.job_id!r}: next_run_at {row.next_run_at.isoformat()} "
            f"is before the claimed run {claimed.isoformat()}; a row never moves back"
        )
        raise ValueError(msg)
    return row


def checked_release(where: str, held: Mapping[str, datetime]) -> list[tuple[str, datetime]]:
    """The ``(job id, claimed run)`` pairs of a ``release``: ids and aware times."""
    if not isinstance(held, Mapping):
        msg = f"{where}: expected a mapping of job id -> claimed run, got {held!r}"
        raise TypeError(msg)
    items = [(check_id(where, job_id), at) for job_id, at in held.items()]
    for job_id, at in items:
        check_due(where, job_id, at)
    return items
