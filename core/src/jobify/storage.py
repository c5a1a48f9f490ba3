"""The storage contract: where durable jobs live between scheduling and the end.

A storage plugin distribution implements :class:`Storage` and registers it with
the ``jobify_register_storages`` hook. The kernel calls it only for durable
jobs: ``add_schedule`` when a job is scheduled or a cron job advances,
``delete_schedule`` when a job ends, ``get_schedules`` once at startup.
``SQLiteStorage`` comes from the ``jobify-storage-sqlite`` distribution and is
importable from here when that is installed.

A storage that several app processes share implements :class:`ClusterStorage`
as well; the kernel then claims each durable run before starting it, so that
one node runs it (see that class). A storage that must have one scheduler
only (one SQLite file) implements :class:`SchedulerLock`, and the kernel takes
that lock at startup. A storage that ``jobify jobs`` can read without changing
implements :class:`InspectableStorage`.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from jobify._assembly.seed import seed_getattr, seed_names
from jobify._kernel.values import JobStatus

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

# seed names resolve lazily
__all__ = (
    "Claim",
    "ClusterStorage",
    "InspectableStorage",
    "ScheduledJob",
    "SchedulerLock",
    "SetAsideStorage",
    "Storage",
    "checked_row",
    *seed_names(__name__),
)


class ScheduledJob(NamedTuple):
    """One stored job: its id, task name, encoded message, status and next run."""

    job_id: str
    name: str
    message: bytes
    status: JobStatus
    next_run_at: datetime


@runtime_checkable
class Storage(Protocol):
    """Persistence for durable jobs.

    Implementations must be safe to call concurrently from one event loop and
    must never block it: blocking I/O belongs on the storage's own thread.
    ``add_schedule`` replaces a row with the same ``job_id`` (upsert) and
    returns only once the rows are durable.
    """

    @abstractmethod
    async def startup(self) -> None:
        """Open connections and create the schema; called once at app startup."""

    @abstractmethod
    async def shutdown(self) -> None:
        """Flush pending writes and close; called once at app shutdown."""

    @abstractmethod
    async def get_schedules(self) -> Sequence[ScheduledJob]:
        """Return every stored job, for restore at startup and ``jobify jobs``."""

    @abstractmethod
    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        """Insert or replace ``scheduled`` rows, returning once they are durable."""

    @abstractmethod
    async def delete_schedule(self, job_id: str) -> None:
        """Remove the row of ``job_id``; a missing row is not an error."""

    @abstractmethod
    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        """Remove the rows of ``job_ids``; missing rows are not an error."""


@runtime_checkable
class SetAsideStorage(Storage, Protocol):
    """A storage that keeps rows the kernel cannot run apart (optional ability).

    At restore, a row whose task is no longer declared or whose message
    cannot be decoded is handed to :meth:`set_aside` with the reason, once.
    Without this ability the kernel only logs it and the row stays as it is.
    """

    @abstractmethod
    async def set_aside(self, job_id: str, reason: str) -> None:
        """Mark ``job_id``'s row as set aside with ``reason``.

        It is never deleted, ``get_schedules`` no longer returns it, and listings
        (``jobify jobs``) show it with the reason. A missing row is not an error.
        """


class Claim(NamedTuple):
    """The outcome of :meth:`ClusterStorage.claim`.

    ``won``: this node runs the job, and ``row`` is the claimed row (status
    RUNNING, its ``message`` holding the cluster's cron counters). Lost:
    another node runs it or has moved it, and ``row`` is the row as it is now,
    or None when no row is left (the job ended or was cancelled elsewhere).
    """

    won: bool
    row: ScheduledJob | None


@runtime_checkable
class ClusterStorage(Storage, Protocol):
    """A storage shared by several app processes (nodes) that act as one scheduler.

    The kernel detects it once, at startup, and then:

    - calls :meth:`join` instead of ``get_schedules`` to restore: the node
      gets the rows it owns, and the storage hands it rows it adopts later
      from nodes that died;
    - claims each durable run with :meth:`claim` just before it starts and
      runs it only when the claim is won, so each run happens on one node;
    - starts the ``cron=`` tasks declared in code with
      :meth:`add_schedule_if_absent`, so that every node arms the same row
      and the nodes share its run counts.

    ``add_schedule`` writes rows owned by this node; ``get_schedules``
    returns every row of the cluster (for ``jobify jobs``); ``shutdown``
    leaves the cluster so the other nodes adopt this node's rows at once.
    """

    @abstractmethod
    async def join(
        self, adopt: Callable[[Sequence[ScheduledJob]], Awaitable[None]]
    ) -> Sequence[ScheduledJob]:
        """Join the cluster and return the rows this node restores.

        Called once, after ``startup``, when the app is ready to arm jobs.
        The storage starts its node lease here and adopts the rows of nodes
        whose lease expired (a job RUNNING on a dead node is SCHEDULED again:
        at-least-once). Rows it adopts later, while the app runs, go to
        ``await adopt(rows)``; the callback never raises.
        """

    @abstractmethod
    async def claim(self, job_id: str, due: datetime) -> Claim:
        """Atomically take the run of ``job_id`` that this node armed for ``due``.

        Won when the row is SCHEDULED with ``next_run_at <= due``: the row
        becomes RUNNING and owned by this node in the same atomic step, so at
        most one node wins each run. A connection lost on the way is retried;
        the claim returns only with an answer from the database.
        """

    @abstractmethod
    async def add_schedule_if_absent(self, scheduled: ScheduledJob) -> ScheduledJob:
        """Insert ``scheduled`` unless a row with its ``job_id`` exists; return the stored row."""


@runtime_checkable
class SchedulerLock(Protocol):
    """A storage whose jobs one app at a time may run: the first to start holds it.

    Two schedulers on one SQLite file would both restore and run every
    stored job; this is the guard. The kernel detects the ability once
    (``isinstance``) and calls :meth:`lock_scheduler` once, at startup of an
    app that runs jobs: after ``Storage.startup`` and before any stored job is
    restored. It is never called for an app that only stores jobs (a
    producer) nor by ``jobify jobs``, which only read. ``Storage.shutdown``
    releases the lock.

    The lock must die with its holder: a process killed with SIGKILL leaves
    nothing that blocks the next start. Two apps in one process on the same
    storage are two schedulers too, and the second is refused.
    """

    @abstractmethod
    async def lock_scheduler(self) -> None:
        """Become the one scheduler of this storage, until ``shutdown``.

        Calling it again on the storage that holds the lock does nothing.

        Raises:
            jobify.exceptions.SchedulerLockedError: another app holds the
                lock; the message names the storage, the holder (process id,
                host, since when) and the ways out.
        """


@runtime_checkable
class InspectableStorage(Protocol):
    """A storage that can say where its jobs live and be opened only to read them.

    ``jobify jobs`` uses it so that listing jobs changes nothing: it prints
    :meth:`describe` beside the listing and reads through :meth:`read_only`,
    which never creates a database, a file or a table. Without this ability
    the command starts the storage as an app would.
    """

    @abstractmethod
    def describe(self) -> str:
        """Say where the jobs live, for people: e.g. ``SQLite file '/srv/jobify.db'``.

        The text names the file, or the server and database, and never holds
        a password or other secret.
        """

    @abstractmethod
    def read_only(self) -> Storage:
        """Return a storage on the same jobs that only reads them.

        Its ``startup`` opens what exists and creates nothing, its
        ``get_schedules`` changes no row, and its writes raise. The object
        this is called on is left as it was (it need not be started).

        The returned storage's ``startup`` raises
        :class:`jobify.exceptions.StorageNotFoundError` when there is nothing
        to read (no database file, no table), naming what it looked for.
        """


_STATUSES = ", ".join(repr(s.value) for s in JobStatus)


def _check_text(where: str, job_id: str, field: str, text: str, *, allow_nul: bool) -> None:
    if not allow_nul and "\x00" in text:
        msg = (
            f"{where}: row {job_id!r}: {field} holds a NUL character at index "
            f"{text.index(chr(0))}, which this storage cannot keep in text; remove it"
        )
        raise ValueError(msg)
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = (
            f"{where}: row {job_id!r}: {field} holds {text[exc.start]!r} at index "
            f"{exc.start}, a lone surrogate that cannot be stored as UTF-8 text; use valid "
            "Unicode text (e.g. decode bytes with errors='replace')"
        )
        raise ValueError(msg) from None


def checked_row(row: Any, where: str, *, allow_nul: bool = True) -> ScheduledJob:
    """Check one row handed to a storage; return it with a bytes message and a JobStatus.

    Storages call it on the caller's side, before the row joins a batch, so a
    bad row fails the call that passed it, naming the row and the fix, and
    never a whole batch. ``where`` starts the messages (e.g.
    ``"SQLiteStorage.add_schedule()"``); ``allow_nul=False`` also refuses NUL
    characters in ids and names, for databases whose text cannot hold them.

    Raises:
        TypeError: not a 5-field row, or a field of the wrong type.
        ValueError: text that cannot be stored, an unknown status, a naive time.
    """
    try:
        job_id, name, message, status, next_run_at = row
    except (TypeError, ValueError):
        msg = f"{where}: expected ScheduledJob rows, got {row!r}"
        raise TypeError(msg) from None
    if not isinstance(job_id, str):
        msg = f"{where}: job_id must be a str, got {job_id!r}"
        raise TypeError(msg)
    if not isinstance(name, str):
        msg = f"{where}: row {job_id!r}: name must be a str, got {name!r}"
        raise TypeError(msg)
    _check_text(where, job_id, "job_id", job_id, allow_nul=allow_nul)
    _check_text(where, job_id, "name", name, allow_nul=allow_nul)
    if not isinstance(message, bytes | bytearray | memoryview):
        msg = f"{where}: row {job_id!r}: message must be bytes, got {type(message).__name__}"
        raise TypeError(msg)
    try:
        job_status = JobStatus(status)
    except ValueError:
        msg = f"{where}: row {job_id!r}: status {status!r} is not a JobStatus; use {_STATUSES}"
        raise ValueError(msg) from None
    if not isinstance(next_run_at, datetime):
        msg = f"{where}: row {job_id!r}: next_run_at must be a datetime, got {next_run_at!r}"
        raise TypeError(msg)
    if next_run_at.utcoffset() is None:
        msg = (
            f"{where}: row {job_id!r}: next_run_at {next_run_at!r} is naive; pass an aware "
            "datetime, e.g. datetime.now(timezone.utc)"
        )
        raise ValueError(msg)
    return ScheduledJob(job_id, name, bytes(message), job_status, next_run_at)


def __getattr__(name: str) -> Any:
    return seed_getattr(__name__, name)
