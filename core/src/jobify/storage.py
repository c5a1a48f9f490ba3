"""The storage contract: where durable jobs live between scheduling and the end.

A storage plugin distribution implements :class:`Storage` and registers it with
the ``jobify_register_storages`` hook. The kernel calls it only for durable
jobs: ``add_schedule`` when a job is scheduled or a cron job advances,
``delete_schedule`` when a job ends, ``get_schedules`` once at startup.
``SQLiteStorage`` comes from the ``jobify-storage-sqlite`` distribution and is
importable from here when that is installed.

A storage that several app processes share implements :class:`ClusterStorage`
as well; the kernel then claims each durable run before starting it, so that
one node runs it, and fences every write that follows a run (see that class).
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from jobify._assembly.seed import seed_getattr, seed_names
from jobify._kernel.values import JobStatus

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence

# seed names resolve lazily
__all__ = (
    "Claim",
    "ClusterStorage",
    "ScheduledJob",
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


class Claim(NamedTuple):
    """The outcome of a fenced call: :meth:`ClusterStorage.claim` or :meth:`ClusterStorage.advance`.

    ``won``: the call took effect, and ``row`` is the row as stored now (for a
    claim: status RUNNING, its ``message`` holding the cluster's cron
    counters). Lost: nothing was written; another node holds the row or it
    has moved on, and ``row`` is the row as it is now, or None when no row is
    left (the job ended or was cancelled elsewhere).
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
    - after a run it claimed, stores a cron job's next run with
      :meth:`advance` and removes an ended job's row with :meth:`release`;
    - starts the ``cron=`` tasks declared in code with
      :meth:`add_schedule_if_absent`, so that every node arms the same row
      and the nodes share its run counts.

    ``add_schedule`` writes rows owned by this node; ``get_schedules``
    returns every row of the cluster (for ``jobify jobs``); ``shutdown``
    leaves the cluster so the other nodes adopt this node's rows at once.

    **Fencing.** Each node holds a lease, and each lease an *epoch*: a
    fencing token that increases each time a node's lease is taken over by
    an adopter or acquired again by the node itself after it expired. A row
    records its owner and the owner's epoch when it took the row. Every write
    a node makes to a row it believes it holds is conditional on still
    holding it: the row's owner is this node, its epoch is this node's
    current epoch, and its ``next_run_at`` equals the run the node claimed.
    A write that loses changes nothing and is no error: it reports the row
    as it is now, and the kernel drops its local copy and follows the row,
    as after a lost claim. So a node that comes back after its lease expired
    (a long pause, a partition) can neither run nor rewind what others took
    over, and ``next_run_at`` of a row never moves backwards through these
    writes. The rule covers every conditional call:

    - :meth:`claim` is won only while the claimer's lease is live under its
      current epoch. A node that finds its lease expired stops claiming at
      once, joins again with a new epoch, hands the rows it still owns to
      the ``adopt`` callback, and only then answers its claims;
    - :meth:`advance` and :meth:`release` are fenced as above;
    - adoption (at :meth:`join` and later) takes only rows whose owner's
      lease expired, and only while the adopter's own lease is live; the
      rows taken carry the adopter's epoch;
    - ``set_aside(job_id, reason)``, when the storage offers it, marks a row
      only if this node holds it.

    ``add_schedule`` and ``delete_schedule(_many)`` stay unconditional: they
    carry a user's intent (a new or replaced job, a cancel), not the
    bookkeeping of a run.
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
        ``await adopt(rows)``; so do the rows this node still owns when it
        joins again after its own lease expired (see Fencing above). The
        callback never raises.
        """

    @abstractmethod
    async def claim(self, job_id: str, due: datetime) -> Claim:
        """Atomically take the run of ``job_id`` that this node armed for ``due``.

        Won when the row is SCHEDULED with ``next_run_at <= due`` and this
        node's lease is live: the row becomes RUNNING, owned by this node
        under its current epoch, in the same atomic step, so at most one node
        wins each run. A node whose lease expired joins again before it
        answers (see Fencing above). A connection lost on the way is retried;
        the claim returns only with an answer from the database.
        """

    @abstractmethod
    async def advance(self, row: ScheduledJob, claimed: datetime) -> Claim:
        """Store ``row`` as the next run of the run this node claimed at ``claimed``.

        Called after a run of a cron job that this node claimed (``row`` is
        the next run, SCHEDULED, with the new counters), and when a claim is
        won for a run its misfire policy drops (``row`` is the run after).
        Won when the stored row is owned by this node under its current epoch
        and its ``next_run_at`` equals ``claimed``: it is replaced by ``row``
        in one atomic step, and stays this node's. Lost: nothing is written.

        Returns:
            ``Claim(True, row as stored)``, or ``Claim(False, the row as it
            is now)`` (``row`` None when no row is left).

        Raises:
            ValueError: ``row.next_run_at`` is before ``claimed``; a row
                never moves backwards.
        """

    @abstractmethod
    async def release(self, held: Mapping[str, datetime]) -> Collection[str]:
        """Delete the rows of jobs that ended here; ``held`` maps each id to the run claimed.

        Called with the jobs that ended after a run this node claimed (a
        one-off job that ran; a cron job past ``max_runs`` or ``max_failures``
        or with no run left), in write-behind batches like
        ``delete_schedule_many``. (A cancel deletes with ``delete_schedule``:
        that is the user's intent, not bookkeeping.) Each row is deleted only
        when this node holds it at ``held[job_id]``, as for :meth:`advance`.

        Returns:
            The ids whose rows were deleted; a row left out is gone, has
            moved on, or is held by another node (which runs it then:
            at-least-once).
        """

    @abstractmethod
    async def add_schedule_if_absent(self, scheduled: ScheduledJob) -> ScheduledJob:
        """Insert ``scheduled`` unless a row with its ``job_id`` exists; return the stored row."""


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
