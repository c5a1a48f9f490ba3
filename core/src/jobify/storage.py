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
A storage that must have one scheduler only (one SQLite file) implements
:class:`SchedulerLock`, and the kernel takes that lock at startup. A storage
that ``jobify jobs`` can read without changing implements
:class:`InspectableStorage`. A cluster storage that can list its nodes for
people (the dashboard's cluster page) implements :class:`ClusterView`.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar, runtime_checkable

from jobify._assembly.seed import seed_getattr, seed_names
from jobify._kernel.values import JobStatus

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence

# seed names resolve lazily
__all__ = (
    "ChangeFeed",
    "Claim",
    "ClusterStorage",
    "ClusterView",
    "ControlStorage",
    "HistoryStorage",
    "InspectableStorage",
    "JobOutcome",
    "NodeInfo",
    "ResultStorage",
    "RowChanges",
    "RunRecord",
    "ScheduledJob",
    "SchedulerLock",
    "SetAsideStorage",
    "Storage",
    "StoredJob",
    "ERROR_LIMIT",
    "SUMMARY_LIMIT",
    "checked_aware",
    "checked_outcome",
    "checked_row",
    "checked_run",
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


class NodeInfo(NamedTuple):
    """One node of a cluster, as an operator sees it (:meth:`ClusterView.nodes`)."""

    name: str
    """The node's name (a host:pid, or the name it was given)."""
    alive: bool
    """True while its lease holds: it runs its jobs. False: it died or left, and its
    rows wait to be adopted (or already were)."""
    lease_expires_at: datetime | None
    """When its lease runs out unless renewed (aware); None when the storage keeps no
    expiry (the in-memory cluster of tests)."""
    jobs_owned: int
    """How many stored rows it owns now."""
    this_node: bool = False
    """True for the node of the storage object that answered."""


@runtime_checkable
class ClusterView(Protocol):
    """A cluster storage that can list its nodes for people (optional ability).

    The dashboard's cluster page and scripts read it; the kernel never does.
    A :class:`ClusterStorage` offers it beside its own methods: the answer
    is read from the database, so it may lag a claim by a moment, and it
    never changes anything (no lease is renewed or taken by asking).
    """

    @abstractmethod
    async def nodes(self) -> Sequence[NodeInfo]:
        """Every node the storage knows: live ones and dead ones that still own rows.

        Ordered by name; the asking node is marked ``this_node``.
        """


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


# --- operating a scheduler: what producers, the CLI and the dashboard rely on ------------


class StoredJob(NamedTuple):
    """A stored job as an operator sees it: its row and its control state."""

    row: ScheduledJob
    paused: bool = False
    """Paused: the scheduler keeps it (a cron job keeps its schedule) but does not run it."""
    run_requested: bool = False
    """Someone asked for one extra run now (``jobify jobs run ID``)."""
    set_aside: str | None = None
    """Why the row was set aside (it is not restored), or None."""


class RowChanges(NamedTuple):
    """What other processes changed in a storage since a cursor (:meth:`ChangeFeed.changes`)."""

    cursor: int
    """Pass it to the next call: it marks what this answer covers."""
    changed: Sequence[StoredJob]
    """Rows another process added or changed (scheduled, rescheduled, paused, ...)."""
    deleted: Sequence[str]
    """Ids of rows another process deleted (a job cancelled from the CLI, say)."""


@runtime_checkable
class ChangeFeed(Storage, Protocol):
    """A storage that tells the scheduler what other processes changed (optional ability).

    With it, a scheduler picks up what producers (web workers that only store
    jobs) and operators (``jobify jobs pause ID``) write to the same storage,
    within about a second and without polling the database for rows:
    :meth:`watch` reports that *something* changed, using a cheap signal
    (SQLite's ``PRAGMA data_version``, PostgreSQL's ``LISTEN/NOTIFY``), and
    only then the scheduler asks :meth:`changes` for the rows. Writes made
    through this storage object itself are never reported back to it.

    A delete wins over a write made without knowing of it: once
    :meth:`cursor` has been called on a storage object, its ``add_schedule``
    does not store again a row that another process deleted after the last
    cursor this object read (``cursor()`` or ``changes()``); the delete is
    reported by the next :meth:`changes`. So ``jobify jobs cancel ID`` holds
    even when a run of that cron job ends, and stores its next run, just
    before the scheduler reads the feed.
    """

    @abstractmethod
    async def cursor(self) -> int:
        """The cursor of everything stored so far; called once, before the rows are restored."""

    @abstractmethod
    def watch(self, on_change: Callable[[], None]) -> None:
        """Call ``on_change()`` soon after another process changed rows.

        From ``startup`` to ``shutdown``, on the app's loop. Several changes may
        give one call; a call may come with nothing new. Idle, the watch costs
        next to nothing (no query per row, no busy loop).
        """

    @abstractmethod
    async def changes(self, cursor: int) -> RowChanges:
        """What other processes added, changed or deleted after ``cursor``."""


@runtime_checkable
class ControlStorage(Storage, Protocol):
    """Pause, resume and run-now of stored jobs, kept across restarts (optional ability).

    The flags live with the row, so they survive a restart and reach the
    scheduler through the :class:`ChangeFeed` when another process sets them.
    Listing is by key (``after`` the last id of the previous page), never by
    loading every row.
    """

    @abstractmethod
    async def set_paused(self, job_id: str, *, paused: bool) -> bool:
        """Pause or resume ``job_id``; False when no such row is stored."""

    @abstractmethod
    async def request_run(self, job_id: str, *, requested: bool = True) -> bool:
        """Ask for (or, done, clear) one extra run of ``job_id`` now; False when no such row."""

    @abstractmethod
    async def get_stored_jobs(self) -> Sequence[StoredJob]:
        """Every row that can run (not set aside), with its flags: what a scheduler restores."""

    @abstractmethod
    async def get_stored_job(self, job_id: str) -> StoredJob | None:
        """One row, set aside or not, with its flags; None when it is not stored."""

    @abstractmethod
    async def list_jobs(
        self,
        *,
        after: str | None = None,
        limit: int = 100,
        task: str | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> Sequence[StoredJob]:
        """A page of rows ordered by id, starting after the id ``after``.

        ``task`` keeps one task's rows; ``status`` one of ``scheduled``,
        ``running``, ``paused``, ``set aside``; ``search`` rows whose id or task
        contains it. At most ``limit`` rows; set-aside rows are included.
        """


class RunRecord(NamedTuple):
    """One run of a job, as run history keeps it (errors and results are bounded text).

    A storage keeps at most :data:`ERROR_LIMIT` (2,000) characters of
    ``error_message`` and :data:`SUMMARY_LIMIT` (200) of ``error_type`` and
    ``result_summary``, cutting longer text (:func:`checked_run` does).
    """

    job_id: str
    task: str
    planned_at: datetime
    started_at: datetime
    finished_at: datetime
    status: JobStatus
    attempt: int
    """How many times the run was tried (1 + its retries)."""
    node: str
    """Which process ran it (host:pid, or a cluster node's name)."""
    error_type: str | None = None
    error_message: str | None = None
    result_summary: str | None = None


@runtime_checkable
class HistoryStorage(Storage, Protocol):
    """Keeps one record per run of every job, cron runs included (optional ability).

    Records ride the storage's own batching (a group commit), so recording
    adds no round trip per run. The app trims them by age and by count per
    job, as ``[jobify.history]`` says.
    """

    @abstractmethod
    async def record_runs(self, *runs: RunRecord) -> None:
        """Keep ``runs``; returns once they are stored."""

    @abstractmethod
    async def get_runs(
        self,
        *,
        job_id: str | None = None,
        before: int | None = None,
        limit: int = 50,
        failed_only: bool = False,
    ) -> Sequence[tuple[int, RunRecord]]:
        """Runs newest first, each with its id: of one job or of all, before the id ``before``.

        ``failed_only`` keeps runs that did not succeed.
        """

    @abstractmethod
    async def trim_runs(
        self, *, older_than: datetime | None = None, keep_per_job: int | None = None
    ) -> int:
        """Drop runs finished before ``older_than``, and all but each job's newest ``keep_per_job``.

        Returns how many runs were dropped.
        """


class JobOutcome(NamedTuple):
    """How a durable job ended, kept for a while after it ran (:class:`ResultStorage`)."""

    job_id: str
    name: str
    status: JobStatus
    result: bytes | None
    """The result, encoded by the app's serializer; None unless it succeeded."""
    error: str | None
    """``"TypeName: message"`` of a failure (bounded), else None."""
    finished_at: datetime


@runtime_checkable
class ResultStorage(Storage, Protocol):
    """Keeps the outcome of finished durable jobs for a while (optional ability).

    When the app keeps results (``[jobify] results_ttl``, a day by default),
    a durable job that ends is stored as an outcome with :meth:`finish_jobs`
    instead of being deleted: in one write, its row goes (never restored
    again) and its outcome stays until :meth:`purge_outcomes` drops it. A
    producer reads it with ``app.job_outcome(job_id)``.
    """

    @abstractmethod
    async def finish_jobs(self, *outcomes: JobOutcome) -> None:
        """Delete the rows of the ``outcomes``' jobs and keep the outcomes, in one write."""

    @abstractmethod
    async def get_outcome(self, job_id: str) -> JobOutcome | None:
        """The kept outcome of ``job_id``, if any."""

    @abstractmethod
    async def purge_outcomes(self, finished_before: datetime) -> int:
        """Drop the outcomes of jobs finished before ``finished_before``; return how many."""


_STATUSES = ", ".join(repr(s.value) for s in JobStatus)
_RecordT = TypeVar("_RecordT", "RunRecord", "JobOutcome")

ERROR_LIMIT = 2000
"""At most this many characters of a run's or outcome's error text are kept."""
SUMMARY_LIMIT = 200
"""At most this many characters of a run's result summary and error type are kept."""


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
        job_status = status if type(status) is JobStatus else JobStatus(status)
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


def checked_aware(where: str, field: str, value: Any) -> datetime:
    """``value`` if it is an aware datetime; TypeError or ValueError naming ``field``."""
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


def _text(where: str, field: str, value: Any, limit: int | None = None) -> Any:
    """``value`` if a str (cut to ``limit``); None passes where a limit is given."""
    if value is None and limit is not None:
        return None
    if not isinstance(value, str):
        msg = f"{where}: {field} must be a str, got {value!r}"
        raise TypeError(msg)
    return value if limit is None else value[:limit]


def _status(where: str, value: Any) -> JobStatus:
    if type(value) is JobStatus:
        return value
    try:
        return JobStatus(value)
    except ValueError:
        msg = f"{where}: status {value!r} is not a JobStatus; use {_STATUSES}"
        raise ValueError(msg) from None


def _as_record(kind: type[_RecordT], value: Any, where: str) -> _RecordT:
    """``value`` as a ``kind`` (a NamedTuple), or TypeError naming what was passed."""
    if isinstance(value, kind):
        return value
    try:
        return kind(*value)
    except TypeError:
        msg = f"{where}: expected {kind.__name__} values, got {value!r}"
        raise TypeError(msg) from None


def checked_run(run: Any, where: str) -> RunRecord:
    """Check one run record handed to :meth:`HistoryStorage.record_runs`; return it bounded.

    As :func:`checked_row` does for rows: on the caller's side, so a bad record
    fails the call that passed it. Texts are cut to :data:`ERROR_LIMIT` /
    :data:`SUMMARY_LIMIT`; the status becomes a :class:`JobStatus`.

    Raises:
        TypeError: not RunRecord values, or a field of the wrong type.
        ValueError: an unknown status, a naive time.
    """
    run = _as_record(RunRecord, run, where)
    attempt = run.attempt
    if isinstance(attempt, bool) or not isinstance(attempt, int):
        msg = f"{where}: attempt must be an int, got {attempt!r}"
        raise TypeError(msg)
    return RunRecord(
        job_id=_text(where, "job_id", run.job_id),
        task=_text(where, "task", run.task),
        planned_at=checked_aware(where, "planned_at", run.planned_at),
        started_at=checked_aware(where, "started_at", run.started_at),
        finished_at=checked_aware(where, "finished_at", run.finished_at),
        status=_status(where, run.status),
        attempt=attempt,
        node=_text(where, "node", run.node),
        error_type=_text(where, "error_type", run.error_type, SUMMARY_LIMIT),
        error_message=_text(where, "error_message", run.error_message, ERROR_LIMIT),
        result_summary=_text(where, "result_summary", run.result_summary, SUMMARY_LIMIT),
    )


def checked_outcome(outcome: Any, where: str) -> JobOutcome:
    """Check one outcome handed to :meth:`ResultStorage.finish_jobs`; return it bounded.

    The result becomes ``bytes``, the error is cut to :data:`ERROR_LIMIT`.

    Raises:
        TypeError: not JobOutcome values, or a field of the wrong type.
        ValueError: an unknown status, a naive time.
    """
    outcome = _as_record(JobOutcome, outcome, where)
    result = outcome.result
    if result is not None and not isinstance(result, bytes | bytearray | memoryview):
        msg = f"{where}: result must be bytes or None, got {type(result).__name__}"
        raise TypeError(msg)
    return JobOutcome(
        job_id=_text(where, "job_id", outcome.job_id),
        name=_text(where, "name", outcome.name),
        status=_status(where, outcome.status),
        result=None if result is None else bytes(result),
        error=_text(where, "error", outcome.error, ERROR_LIMIT),
        finished_at=checked_aware(where, "finished_at", outcome.finished_at),
    )


def __getattr__(name: str) -> Any:
    return seed_getattr(__name__, name)
