"""What the ability mixins of ``PostgresStorage`` use of the storage they are mixed into.

The abilities (the change feed, control, history, outcomes, the cluster view)
live in modules of their own; each is a mixin of :class:`AbilityBase`, which
declares, for the type checker only, the parts of
:class:`~jobify_storage_postgres.storage.PostgresStorage` they call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from jobify import JobStatus
from jobify.storage import ScheduledJob, StoredJob

__all__ = ("OPERATIONS_LAYOUT", "AbilityBase", "quote", "row_from", "stored_columns", "stored_from")

OPERATIONS_LAYOUT: Final = 3
"""The first schema version with control flags, the change feed, run history and outcomes."""


def stored_columns(layout: int, prefix: str = "") -> str:
    """The columns of ``jobs`` that :func:`stored_from` reads, each after ``prefix``.

    A read-only storage on an older schema (``layout`` below 3) reads no
    flags: they are false there.
    """
    p = prefix
    flags = (
        f"{p}paused, {p}run_requested"
        if layout >= OPERATIONS_LAYOUT
        else "false AS paused, false AS run_requested"
    )
    return f"{p}job_id, {p}name, {p}message, {p}status, {p}next_run_at, {p}set_aside, {flags}"


T = TypeVar("T")


def quote(identifier: str) -> str:
    """``identifier`` as a quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def row_from(rec: Any) -> ScheduledJob:
    """A ``jobs`` record as a row; a status written by another tool reads as SCHEDULED."""
    try:
        status = JobStatus(rec["status"])
    except ValueError:  # written by another tool: shown as what the kernel stores
        status = JobStatus.SCHEDULED
    return ScheduledJob(rec["job_id"], rec["name"], rec["message"], status, rec["next_run_at"])


def stored_from(rec: Any, *, run_requested: bool | None = None) -> StoredJob:
    """A record of :data:`STORED_COLUMNS` as a ``StoredJob`` (``run_requested``: override it)."""
    requested = bool(rec["run_requested"]) if run_requested is None else run_requested
    aside = rec["set_aside"]
    return StoredJob(
        row_from(rec), paused=bool(rec["paused"]), run_requested=requested,
        set_aside=None if aside is None else str(aside),
    )  # fmt: skip


class AbilityBase:
    """The base of the ability mixins: no state of its own."""

    if TYPE_CHECKING:
        dsn: str
        schema: str
        pool_size: int
        command_timeout: float
        _read_only: bool
        _layout: int
        _seen: int | None
        _heard: int
        _on_change: Callable[[], None] | None
        _resync: set[str]
        _counts: dict[str, int]

        @property
        def _node_id(self) -> str | None: ...

        @property
        def _epoch(self) -> int: ...

        @property
        def _loop(self) -> asyncio.AbstractEventLoop | None: ...

        @property
        def _adopt(self) -> Any: ...

        @property
        def _where(self) -> str: ...

        @property
        def channel(self) -> str: ...

        def _check_running(self, what: str) -> None: ...

        def _ensure_listening(self) -> None: ...

        def _retry(self, what: str, fn: Callable[[Any], Awaitable[T]]) -> Awaitable[T]: ...

        def _write(self, kind: str, args: Any) -> Awaitable[Any]: ...

        def _drained_writes(self) -> Awaitable[None]: ...

        def _round_trip(self, conn: Any, method: str, sql: str, *args: Any) -> Awaitable[Any]: ...
