"""``PostgresStorage``: one schedule shared by several app processes (nodes).

Every node of a cluster points at the same PostgreSQL schema. A row belongs
to the node that wrote it (``owner``); before each durable run the kernel
*claims* it (:meth:`PostgresStorage.claim`), one conditional ``UPDATE``, so
one node runs each run. Each node holds a *lease* in the ``nodes`` table,
measured on the database clock (``now()``) and renewed every third of
``lease_seconds``; as often, in a task of its own, a node that joined looks for nodes whose
lease expired and *adopts* their rows (RUNNING ones become SCHEDULED again:
at-least-once). A node that shuts down cleanly gives its rows back at once and
says so on the ``<schema>_cluster`` channel (``LISTEN``/``NOTIFY``), so the
others adopt them without waiting for the lease.

Each lease has an *epoch*, a number from the ``epochs`` sequence that changes
when an adopter takes the lease over and when the node acquires it again
after it expired; a row records the epoch its owner took it under. Every
write that follows a run (:meth:`PostgresStorage.advance`,
:meth:`PostgresStorage.release`, ``set_aside``) is fenced: it applies only
where ``owner``, ``epoch`` and ``next_run_at`` are still what this node
claimed. A node that finds its lease expired stops claiming, joins again
under a new epoch and hands the rows it still owns to the kernel first.

Calls made in one event-loop turn share one statement (writes: an upsert of
``unnest``-ed arrays; claims: one data-modifying CTE), and every operation is
retried with exponential backoff while the database cannot be reached: a
write returns only after its commit. See the README for the guarantees.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
import os
import random
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import attrs

from jobify import JobStatus, options
from jobify.exceptions import StorageNotFoundError
from jobify.storage import (
    ChangeFeed,
    Claim,
    ClusterStorage,
    ClusterView,
    ControlStorage,
    HistoryStorage,
    InspectableStorage,
    ResultStorage,
    ScheduledJob,
    SetAsideStorage,
    checked_row,
)
from jobify_storage_postgres._base import quote, row_from
from jobify_storage_postgres._errors import (
    PostgresSchemaError,
    PostgresStorageError,
    PostgresStorageStateError,
)
from jobify_storage_postgres._feed import (
    TRIM_SECONDS,
    FeedAbility,
    changed_by,
    notice,
    notify,
    stamp,
)
from jobify_storage_postgres._operations import OPERATION_KINDS, OperationsAbility
from jobify_storage_postgres._schema import MIGRATIONS, SCHEMA_VERSION
from jobify_storage_postgres._view import ViewAbility

__all__ = (
    "SCHEMA_VERSION",
    "PostgresSchemaError",
    "PostgresStatistics",
    "PostgresStorage",
    "PostgresStorageError",
    "PostgresStorageStateError",
)

log = logging.getLogger("jobify.storage.postgres")

_RETRY_START: Final = 0.05
_ADOPT_BATCH: Final = 500
_SCHEDULED: Final = JobStatus.SCHEDULED.value
_RUNNING: Final = JobStatus.RUNNING.value

# The database could not be reached: retried with backoff until it answers.
_CONNECTION_ERRORS: Final = (
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, and a connection that is gone
    asyncpg.InterfaceError,  # the client side of a broken connection
    asyncpg.exceptions.InternalClientError,  # a protocol state left broken by a killed backend
    asyncpg.AdminShutdownError,  # pg_terminate_backend, server shutting down
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,  # server starting up or in recovery
    asyncpg.TooManyConnectionsError,
    OSError,  # refused, reset, unreachable
    TimeoutError,
)
# The statement was rolled back and may simply be run again (two nodes' batches).
_TRANSIENT_ERRORS: Final = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class PostgresStatistics:
    """A snapshot of what one :class:`PostgresStorage` did since it was built.

    Attributes:
        round_trips: statements sent to the server by calls (``BEGIN`` and
            ``COMMIT`` included, lease beats and startup not).
        write_batches: statements (or transactions) that carried writes.
        largest_write_batch: most calls answered by one write batch.
        claim_batches: claim statements.
        largest_claim_batch: most claims answered by one statement.
        claims_won: claims this node won.
        claims_lost: claims another node won or whose row had moved or gone.
        rows_written: rows upserted by ``add_schedule``.
        rows_deleted: rows removed by ``delete_schedule(_many)``.
        rows_adopted: rows taken over from nodes that died or left.
        writes_lost: fenced writes (``advance``, ``release``, ``set_aside``)
            that changed nothing because this node no longer held the row.
        rejoins: times this node found its lease expired and joined again.
        retries: attempts repeated after a connection error or a deadlock.
        outages: times the database became unreachable (one warning each).
    """

    round_trips: int = 0
    write_batches: int = 0
    largest_write_batch: int = 0
    claim_batches: int = 0
    largest_claim_batch: int = 0
    claims_won: int = 0
    claims_lost: int = 0
    rows_written: int = 0
    rows_deleted: int = 0
    rows_adopted: int = 0
    writes_lost: int = 0
    rejoins: int = 0
    retries: int = 0
    outages: int = 0


_COUNTERS: Final = tuple(f.name for f in attrs.fields(PostgresStatistics))


class _State(enum.Enum):
    NEW = "not started"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "shutting down"
    STOPPED = "shut down"


# --- options -------------------------------------------------------------------


def _check_dsn(inst: PostgresStorage, attribute: attrs.Attribute[Any], value: Any) -> None:
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
            f"PostgresStorage(dsn={_mask(value)!r}): not a PostgreSQL URL (it must start with "
            f"postgresql:// or postgres://); {example}"
        )
        raise ValueError(msg)


_SCHEMA: Final = options.identifier(
    kind="schema name", lowercase=True, max_length=55, reserved_prefix="pg_", default="jobify"
)
_NODE_NAME: Final = options.optional(
    options.text(
        min_length=1,
        max_length=40,
        printable=True,
        fix="it prefixes the node id",
        example="worker-1",
    )
)
_POOL_SIZE: Final = options.positive_int(fix="at least 1 connection is needed", example=4)


def _mask(dsn: str) -> str:
    """Return ``dsn`` with its password replaced by ``***``, for messages and repr."""
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return "<unparsable dsn>"
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


_quote = quote


# --- rows ----------------------------------------------------------------------


def _checked(job: ScheduledJob, where: str) -> ScheduledJob:
    """Check one row on the caller's side; PostgreSQL text cannot hold NUL characters."""
    return checked_row(job, where, allow_nul=False)


def _check_id(where: str, job_id: Any) -> str:
    if not isinstance(job_id, str):
        msg = f"{where}: job ids must be str, got {job_id!r}"
        raise TypeError(msg)
    return job_id


def _check_due(where: str, job_id: str, due: Any) -> None:
    if not isinstance(due, datetime) or due.utcoffset() is None:
        msg = f"{where}: job {job_id!r}: the run's time must be an aware datetime, got {due!r}"
        raise TypeError(msg)


_from_record = row_from


# --- batching ------------------------------------------------------------------


class _Op:
    """One call waiting for its batch: its kind, its arguments and the caller's future."""

    __slots__ = ("args", "future", "kind")

    def __init__(self, kind: str, args: Any, future: asyncio.Future[Any]) -> None:
        self.kind = kind
        self.args = args
        self.future = future


class _Batcher:
    """Collect the calls of one loop turn; run them as one batch, one batch at a time.

    While a batch runs, new calls gather for the next one, so under load the
    batches grow instead of the round trips multiplying.
    """

    __slots__ = ("flush", "flushing", "held", "loop", "pending", "running", "scheduled")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, flush: Callable[[list[_Op]], Awaitable[None]]
    ) -> None:
        self.loop = loop
        self.flush = flush
        self.pending: list[_Op] = []
        self.running: list[_Op] = []  # the calls of the batch on its way
        self.flushing: asyncio.Task[None] | None = None
        self.scheduled = False
        self.held: asyncio.Event | None = None  # set while batches wait (a re-join)

    def hold(self) -> None:
        """Start no batch until :meth:`release`; calls made meanwhile wait in ``pending``."""
        if self.held is None:
            self.held = asyncio.Event()

    def release(self) -> None:
        """Start batches again, the waiting calls first."""
        held, self.held = self.held, None
        if held is not None:
            held.set()
            if self.pending:
                self._schedule()

    def put(self, kind: str, args: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = self.loop.create_future()
        self.pending.append(_Op(kind, args, future))
        self._schedule()
        return future

    @property
    def busy(self) -> bool:
        return bool(self.pending) or self.flushing is not None

    def _schedule(self) -> None:
        if self.flushing is None and not self.scheduled and self.held is None:
            self.scheduled = True
            self.loop.call_soon(self._start)  # after the calls already made this turn

    def _start(self) -> None:
        self.scheduled = False
        if self.flushing is not None or not self.pending or self.held is not None:
            return
        ops, self.pending = self.pending, []
        self.running = ops
        self.flushing = self.loop.create_task(self._run(ops))

    async def _run(self, ops: list[_Op]) -> None:
        try:
            await self.flush(ops)
        except BaseException as exc:
            for op in ops:
                if not op.future.done():
                    op.future.set_exception(
                        exc
                        if isinstance(exc, Exception)
                        else PostgresStorageStateError(
                            "PostgresStorage: shut down while the call waited for the database"
                        )
                    )
            if not isinstance(exc, Exception):
                raise
        finally:
            self.flushing = None
            self.running = []
            if self.pending:
                self._schedule()

    async def drain(self) -> None:
        """Wait until every call made so far is answered."""
        while self.busy:
            if self.flushing is not None:
                await asyncio.wait([self.flushing])
            elif self.held is not None:
                await self.held.wait()
            else:
                await asyncio.sleep(0)

    def cancel(self, error: BaseException) -> int:
        """Fail every call not answered yet and stop the running batch; return how many failed.

        The calls of the running batch are failed at once, not when its task
        ends: a statement cancelled on a connection the network dropped can
        take asyncpg a long time to give up, and callers must not wait for it.
        """
        failed = 0
        for op in (*self.running, *self.pending):
            if not op.future.done():
                op.future.set_exception(error)
                failed += 1
        self.pending = []
        if self.flushing is not None:
            self.flushing.cancel()
        return failed


def _split_repeats(segments: list[list[_Op]]) -> list[list[_Op]]:
    """Split fenced segments so that no statement touches one job twice (order kept)."""
    out: list[list[_Op]] = []
    for seg in segments:
        if seg[0].kind not in ("advance", "release"):
            out.append(seg)
            continue
        seen: set[str] = set()
        current: list[_Op] = []
        for op in seg:
            ids = {op.args[0].job_id} if op.kind == "advance" else {j for j, _ in op.args}
            if seen & ids:
                out.append(current)
                current, seen = [], set()
            seen |= ids
            current.append(op)
        out.append(current)
    return out


_CALLS: Final = {
    "upsert": "add_schedule", "delete": "delete_schedule", "if_absent": "add_schedule_if_absent",
    "flag": "set_paused", "runs": "record_runs", "trim": "trim_runs", "finish": "finish_jobs",
    "purge": "purge_outcomes",
}  # fmt: skip
"""The call each write kind comes from, for messages."""


def _settle(op: _Op, result: Any = None, error: BaseException | None = None) -> None:
    if op.future.done():
        return
    if error is not None:
        op.future.set_exception(error)
    else:
        op.future.set_result(result)


# --- the storage ---------------------------------------------------------------


@attrs.define(eq=False, repr=False)
class PostgresStorage(
    FeedAbility,
    OperationsAbility,
    ViewAbility,
    ClusterStorage,
    ChangeFeed,
    ControlStorage,
    HistoryStorage,
    ResultStorage,
    SetAsideStorage,
    InspectableStorage,
    ClusterView,
):
    """Durable jobs in PostgreSQL, shared by every node that uses the same schema.

    Each run is claimed by one node; the rows of a node whose lease expires,
    or that shuts down, are adopted by the others, and every write that
    follows a run is fenced by the writer's ownership and lease epoch. Calls
    made in one loop turn share a statement, and a lost connection is
    retried until it comes back.

    It also operates a scheduler as the SQLite storage does: a change feed
    (``LISTEN/NOTIFY`` and a version counter), pause / run-now flags with
    keyset listing, run history and kept outcomes (``_feed``,
    ``_operations``), a read-only view for ``jobify jobs`` and the list of
    the cluster's nodes (``_view``).

    Args:
        dsn: the PostgreSQL URL, ``postgresql://user:password@host:port/db``
            (any libpq URL parameter asyncpg accepts). Required.
        schema: the PostgreSQL schema holding the tables, created if missing;
            every node of one cluster uses the same. A lowercase identifier
            of at most 55 characters (``[a-z_][a-z0-9_]{0,54}``).
        node_name: a readable prefix of this node's id (the id stays unique:
            ``<node_name>:<host>:<pid>:<random>``).
        lease_seconds: how long a node stays alive in the others' eyes
            without renewing (database clock); renewed every third of it.
        retry_max_delay: the longest wait, in seconds, between two attempts
            while the database cannot be reached.
        pool_size: connections in the pool (one more listens for notices).
        command_timeout: seconds a statement (or a connection attempt) may
            wait for the server; past it the connection counts as lost and
            the statement is retried on a new one. It catches a network that
            drops packets without resetting the connection.
    """

    dsn: str = attrs.field(default=None, validator=_check_dsn)
    schema: str = attrs.field(default="jobify", kw_only=True, validator=_SCHEMA)
    node_name: str | None = attrs.field(default=None, kw_only=True, validator=_NODE_NAME)
    lease_seconds: float = attrs.field(
        default=15.0, kw_only=True, validator=options.seconds(example=15.0)
    )
    retry_max_delay: float = attrs.field(
        default=5.0, kw_only=True, validator=options.seconds(example=5.0)
    )
    pool_size: int = attrs.field(default=4, kw_only=True, validator=_POOL_SIZE)
    command_timeout: float = attrs.field(
        default=30.0, kw_only=True, validator=options.seconds(example=30.0)
    )
    _state: _State = attrs.field(init=False, default=_State.NEW)
    _node_id: str | None = attrs.field(init=False, default=None)
    _pool: Any = attrs.field(init=False, default=None)
    _listener: Any = attrs.field(init=False, default=None)
    _loop: asyncio.AbstractEventLoop | None = attrs.field(init=False, default=None)
    _writes: _Batcher | None = attrs.field(init=False, default=None)
    _claims: _Batcher | None = attrs.field(init=False, default=None)
    _lease_task: asyncio.Task[None] | None = attrs.field(init=False, default=None)
    _adopt_task: asyncio.Task[None] | None = attrs.field(init=False, default=None)
    _listen_task: asyncio.Task[None] | None = attrs.field(init=False, default=None)
    _rejoin_task: asyncio.Task[None] | None = attrs.field(init=False, default=None)
    _epoch: int = attrs.field(init=False, default=0)  # this node's lease epoch
    _renewed_at: float = attrs.field(init=False, default=0.0)  # loop time the lease was last sent
    _wake: asyncio.Event | None = attrs.field(init=False, default=None)
    _adopt: Callable[[Sequence[ScheduledJob]], Awaitable[None]] | None = attrs.field(
        init=False, default=None
    )
    _in_outage: bool = attrs.field(init=False, default=False)
    _read_only: bool = attrs.field(init=False, default=False)
    _layout: int = attrs.field(init=False, default=SCHEMA_VERSION)  # the schema version opened
    _seen: int | None = attrs.field(init=False, default=None)  # the last feed cursor read
    _heard: int = attrs.field(init=False, default=0)  # the feed version the watcher knows of
    _on_change: Callable[[], None] | None = attrs.field(init=False, default=None)
    _resync: set[str] = attrs.field(init=False, factory=set)  # flagged rows joined or adopted
    _next_trim: float = attrs.field(init=False, default=0.0)  # loop time of the next trim
    _counts: dict[str, int] = attrs.field(init=False, factory=lambda: dict.fromkeys(_COUNTERS, 0))

    def __repr__(self) -> str:
        return (
            f"PostgresStorage({_mask(self.dsn)!r}, schema={self.schema!r}, "
            f"node_name={self.node_name!r}, lease_seconds={self.lease_seconds!r}, "
            f"retry_max_delay={self.retry_max_delay!r}, pool_size={self.pool_size!r}, "
            f"command_timeout={self.command_timeout!r})"
        )

    @property
    def node_id(self) -> str | None:
        """This node's id in the cluster while started (a new one at each startup), else None."""
        return self._node_id

    @property
    def epoch(self) -> int | None:
        """This node's lease epoch while started: new at startup and at each re-join."""
        return self._epoch if self._node_id is not None else None

    @property
    def channel(self) -> str:
        """The ``LISTEN``/``NOTIFY`` channel of the cluster: ``<schema>_cluster``."""
        return f"{self.schema}_cluster"

    @property
    def _where(self) -> str:
        return f"PostgresStorage(schema {self.schema!r})"

    def statistics(self) -> PostgresStatistics:
        """Return a snapshot of the counters (round trips, batches, claims, adoptions)."""
        return PostgresStatistics(**self._counts)

    # --- lifecycle -------------------------------------------------------------

    async def startup(self) -> None:
        """Connect, create or migrate the schema, and start this node's lease.

        A database that cannot be reached is retried (with a warning) until it
        answers; the task can be cancelled meanwhile.

        Raises:
            PostgresSchemaError: the schema was written by a newer version.
            PostgresStorageError: PostgreSQL refused (credentials, permissions).
            PostgresStorageStateError: the storage is already started.
        """
        if self._state is not _State.NEW and self._state is not _State.STOPPED:
            msg = (
                f"{self._where}.startup(): the storage is {self._state.value} already; "
                "call shutdown() before starting it again"
            )
            raise PostgresStorageStateError(msg)
        self._state = _State.STARTING
        self._loop = asyncio.get_running_loop()
        self._node_id = None if self._read_only else self._new_node_id()
        self._adopt = None
        self._seen, self._heard, self._on_change, self._resync = None, 0, None, set()
        try:
            self._pool = await self._retry("startup", self._create_pool, pooled=False)
            if self._read_only:
                self._layout = self._found_layout(await self._retry("startup", self._read_layout))
            else:
                await self._retry("startup", self._migrate)
                self._layout = SCHEMA_VERSION
                sent = self._loop.time()
                self._epoch = await self._retry("startup", self._acquire_lease)
                self._renewed_at = sent
        except BaseException:
            if self._pool is not None:
                self._pool.terminate()
                self._pool = None
            self._state = _State.NEW
            raise
        self._writes = _Batcher(self._loop, self._flush_writes)
        self._claims = _Batcher(self._loop, self._flush_claims)
        self._wake = asyncio.Event()
        self._state = _State.RUNNING
        if self._read_only:
            return  # no lease, no adoption: it only reads
        self._next_trim = self._loop.time()
        self._lease_task = self._loop.create_task(
            self._lease_loop(), name=f"jobify-postgres-lease:{self._node_id}"
        )
        self._adopt_task = self._loop.create_task(
            self._adoption_loop(), name=f"jobify-postgres-adopt:{self._node_id}"
        )

    async def shutdown(self) -> None:
        """Leave the cluster: answer pending calls, hand this node's rows back, close.

        This node's RUNNING rows become SCHEDULED, its lease ends and the
        other nodes are notified, so they adopt its rows at once.

        It waits at most ``lease_seconds`` for the database in all: pending
        calls and the leave share that time. Calls still unanswered then fail
        with :class:`PostgresStorageStateError` (they were not acknowledged);
        if the node could not leave, its rows stay its own and the other
        nodes adopt them when its lease expires. Closing the connections
        takes at most 3 s more, so it returns within ``lease_seconds + 3``
        seconds. Calling it again, or before ``startup()``, does nothing.
        """
        if self._state is not _State.RUNNING:
            return
        self._state = _State.STOPPING
        deadline = asyncio.get_running_loop().time() + self.lease_seconds
        try:
            pending = [b.drain() for b in (self._writes, self._claims) if b is not None]
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(deadline):
                    await asyncio.gather(*pending)
            failed = await self._stop_tasks()
            if failed:
                log.warning(
                    "%s: shutdown: %d call(s) still waiting for the database after %ss fail "
                    "with PostgresStorageStateError: not acknowledged (a write already on its "
                    "way may have committed or not)",
                    self._where,
                    failed,
                    self.lease_seconds,
                )
            try:
                if not self._read_only:
                    async with asyncio.timeout_at(deadline):
                        await self._retry("shutdown", self._leave)
            except TimeoutError:
                log.warning(
                    "%s: could not leave the cluster within %ss; node %s keeps its jobs and "
                    "the other nodes adopt them when its lease expires",
                    self._where,
                    self.lease_seconds,
                    self._node_id,
                )
        finally:
            await self._close(graceful=True)

    async def _stop_tasks(self) -> int:
        """Stop the lease beat and the batches; fail unanswered calls and return their count."""
        error = PostgresStorageStateError(f"{self._where}: the storage was shut down")
        failed = 0
        for batcher in (self._writes, self._claims):
            if batcher is not None:
                failed += batcher.cancel(error)
        own = (self._lease_task, self._adopt_task, self._listen_task, self._rejoin_task)
        tasks = [t for t in own if t is not None]
        tasks += [b.flushing for b in (self._writes, self._claims) if b and b.flushing]
        for task in tasks:
            task.cancel()
        if tasks:
            # A statement cancelled on a silent connection can keep its task in
            # asyncpg's clean-up for a long time: wait a little, not for ever
            # (the pool is terminated next, and the callers are answered already).
            _done, stuck = await asyncio.wait(tasks, timeout=1.0)
            if stuck:
                log.debug("%s: %d task(s) still stopping", self._where, len(stuck))
        self._lease_task = self._adopt_task = self._listen_task = self._rejoin_task = None
        return failed

    async def _close(self, *, graceful: bool) -> None:
        listener, self._listener = self._listener, None
        pool, self._pool = self._pool, None
        if graceful:  # both at once, at most 2 s: then they are dropped
            closing = [c.close() for c in (listener, pool) if c is not None]
            with contextlib.suppress(*_CONNECTION_ERRORS):
                async with asyncio.timeout(2):
                    await asyncio.gather(*closing, return_exceptions=True)
        if listener is not None:
            listener.terminate()
        if pool is not None:
            pool.terminate()
        self._state = _State.STOPPED
        self._node_id = None
        self._on_change = None

    async def _abort(self) -> None:
        """Drop everything without leaving the cluster, as a crash would (for tests).

        The lease is no longer renewed and nothing is handed back, so the
        other nodes adopt this node's rows only when its lease expires.
        """
        if self._state not in (_State.RUNNING, _State.STOPPING):
            return
        self._state = _State.STOPPING
        await self._stop_tasks()
        await self._close(graceful=False)

    async def _suspend(self) -> None:
        """Stop renewing the lease and adopting, as a paused process would (for tests).

        :meth:`_resume` starts both again; whatever state the node had, it
        keeps, as a process does after ``SIGCONT``.
        """
        tasks = [t for t in (self._lease_task, self._adopt_task) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._lease_task = self._adopt_task = None

    def _resume(self) -> None:
        """Undo :meth:`_suspend` (for tests)."""
        assert self._loop is not None  # noqa: S101 - started
        if self._state is _State.RUNNING and self._lease_task is None:
            self._lease_task = self._loop.create_task(
                self._lease_loop(), name=f"jobify-postgres-lease:{self._node_id}"
            )
            self._adopt_task = self._loop.create_task(
                self._adoption_loop(), name=f"jobify-postgres-adopt:{self._node_id}"
            )

    def _new_node_id(self) -> str:
        parts = [socket.gethostname(), str(os.getpid()), secrets.token_hex(4)]
        if self.node_name is not None:
            parts.insert(0, self.node_name)
        return ":".join(parts)

    async def _create_pool(self, _conn: None = None) -> Any:
        return await asyncpg.create_pool(
            self.dsn,
            min_size=1,
            max_size=self.pool_size,
            command_timeout=self.command_timeout,
            timeout=self.command_timeout,  # connecting
            server_settings={"application_name": self._application_name},
        )

    @property
    def _application_name(self) -> str:
        return (self._node_id or "jobify")[:63]  # what pg_stat_activity shows

    async def _migrate(self, conn: Any) -> None:
        s = _quote(self.schema)
        async with conn.transaction():
            # nodes start together: one of them creates or migrates, the others wait
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"jobify:{s}")
            await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
            await conn.execute(f"CREATE TABLE IF NOT EXISTS {s}.meta (version int NOT NULL)")
            stored = await conn.fetchval(f"SELECT max(version) FROM {s}.meta")  # noqa: S608
            version = 0 if stored is None else int(stored)
            self._check_version(version)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target]:
                    await conn.execute(statement.format(s=s))
                log.info("%s: schema migrated to version %d", self._where, target)
            if version < SCHEMA_VERSION:
                await conn.execute(f"DELETE FROM {s}.meta")  # noqa: S608
                await conn.execute(f"INSERT INTO {s}.meta (version) VALUES ($1)", SCHEMA_VERSION)  # noqa: S608

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            msg = (
                f"{self._where}.startup(): the schema is at version {version}, written by "
                f"a newer jobify-storage-postgres; this one knows version {SCHEMA_VERSION} "
                "at most. Upgrade jobify-storage-postgres on this node (every node of a "
                "cluster must run a version that knows the schema), or use another schema"
            )
            raise PostgresSchemaError(msg)

    async def _read_layout(self, conn: Any) -> int | None:
        """The schema version a read-only storage finds (None: no tables), creating nothing."""
        s = _quote(self.schema)
        exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{s}.meta")
        stored = await conn.fetchval(f"SELECT max(version) FROM {s}.meta") if exists else None  # noqa: S608
        return None if stored is None else int(stored)

    def _found_layout(self, stored: int | None) -> int:
        """Check the version :meth:`_read_layout` found (outside the retries).

        Raises:
            StorageNotFoundError: the schema holds no jobify tables.
            PostgresSchemaError: the schema was written by a newer version.
        """
        if stored is None:
            msg = (
                f"{self.describe()} holds no jobify tables (no table {self.schema}.meta; it "
                "was opened read-only, so nothing was created). Check the dsn and schema "
                "options, or start a node once to create them"
            )
            raise StorageNotFoundError(msg)
        self._check_version(int(stored))
        return int(stored)

    def read_only(self) -> PostgresStorage:
        """Return a storage on the same schema that only reads (``jobify jobs``).

        Its :meth:`startup` connects and checks the schema: it creates and
        migrates nothing, takes no lease (it is no node) and raises
        ``StorageNotFoundError`` when the schema holds no jobify tables. On a
        schema of an older version it reads what is there (no flags, no
        history, no outcomes). Its writes, ``join`` and ``claim`` raise
        :class:`PostgresStorageStateError`. This storage is left as it is.
        """
        copy = PostgresStorage(
            self.dsn, schema=self.schema, node_name=self.node_name,
            lease_seconds=self.lease_seconds, retry_max_delay=self.retry_max_delay,
            pool_size=min(self.pool_size, 2), command_timeout=self.command_timeout,
        )  # fmt: skip
        copy._read_only = True
        return copy

    def _check_writable(self, what: str) -> None:
        if self._read_only:
            msg = (
                f"{self._where}.{what}(): this storage was opened with read_only() and writes "
                "nothing; use the storage itself"
            )
            raise PostgresStorageStateError(msg)

    # --- state and retries ---------------------------------------------------------

    def _check_running(self, what: str) -> None:
        if self._state is _State.RUNNING:
            if asyncio.get_running_loop() is not self._loop:
                msg = (
                    f"{self._where}.{what}(): called from another event loop than the one "
                    "that ran startup(); use the storage from one loop"
                )
                raise PostgresStorageStateError(msg)
            return
        if self._state is _State.NEW:
            fix = "call `await storage.startup()` first (an app does it in `async with app`)"
        else:
            fix = "call `await storage.startup()` to use it again"
        msg = f"{self._where}.{what}(): the storage is {self._state.value}; {fix}"
        raise PostgresStorageStateError(msg)

    async def _retry(
        self, what: str, fn: Callable[[Any], Awaitable[T]], *, pooled: bool = True
    ) -> T:
        """Run ``fn(connection)`` until it succeeds or fails for a reason retrying cannot fix."""
        delay = _RETRY_START
        while True:
            if self._state is _State.STOPPED or (pooled and self._pool is None):
                msg = f"{self._where}.{what}(): the storage was shut down"
                raise PostgresStorageStateError(msg)
            try:
                if pooled:
                    async with self._pool.acquire() as conn:
                        try:
                            result = await fn(conn)
                        except _CONNECTION_ERRORS:
                            # the pool opens a fresh one (a connection the pool already
                            # took back when it broke refuses both calls)
                            with contextlib.suppress(asyncpg.InterfaceError):
                                if not conn.is_closed():
                                    conn.terminate()
                            raise
                else:
                    result = await fn(None)
            except asyncpg.exceptions.DataError as exc:  # a value asyncpg cannot encode
                error = PostgresStorageError(f"{self._where}.{what}(): {exc}")
                raise error from exc
            except _CONNECTION_ERRORS as exc:
                if not self._in_outage:
                    self._in_outage = True
                    self._counts["outages"] += 1
                    log.warning(
                        "%s.%s(): the database cannot be reached (%s: %s); retrying until "
                        "it answers (%s)",
                        self._where,
                        what,
                        type(exc).__name__,
                        exc,
                        _mask(self.dsn),
                    )
            except _TRANSIENT_ERRORS as exc:
                log.debug("%s.%s(): %s; running it again", self._where, what, exc)
            except asyncpg.PostgresError as exc:
                error = PostgresStorageError(
                    f"{self._where}.{what}(): PostgreSQL refused it: {type(exc).__name__}: "
                    f"{exc}. See the asyncpg error above (the __cause__)"
                )
                raise error from exc
            else:
                if self._in_outage:
                    self._in_outage = False
                    log.warning("%s: the database answers again", self._where)
                return result
            self._counts["retries"] += 1
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
            delay = min(delay * 2, self.retry_max_delay)

    async def _round_trip(self, conn: Any, method: str, sql: str, *args: Any) -> Any:
        self._counts["round_trips"] += 1
        return await getattr(conn, method)(sql, *args)

    # --- the Storage contract ----------------------------------------------------

    async def get_schedules(self) -> list[ScheduledJob]:
        """Return every row of the cluster that is not set aside, soonest first.

        Writes this node made before the call are seen (they are committed first).
        """
        self._check_running("get_schedules")
        await self._drained_writes()
        sql = (
            "SELECT job_id, name, message, status, next_run_at "  # noqa: S608
            f"FROM {_quote(self.schema)}.jobs WHERE set_aside IS NULL "
            "ORDER BY next_run_at, job_id"
        )

        async def read(conn: Any) -> list[ScheduledJob]:
            return [_from_record(r) for r in await self._round_trip(conn, "fetch", sql)]

        return await self._retry("get_schedules", read)

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        """Upsert ``scheduled`` rows, owned by this node; return after the commit.

        Calls made in the same loop turn (and while a batch is on its way)
        share one statement. Replacing a row clears its set-aside mark. Not
        fenced: a new or replaced job is the user's intent, and the row is
        this node's under its current epoch from now on.

        Raises:
            TypeError: a row has a value of the wrong type (before anything is sent).
            ValueError: a bad status, a naive ``next_run_at``, or text
                PostgreSQL cannot store.
            PostgresStorageError: PostgreSQL refused the statement.
            PostgresStorageStateError: the storage is not running.
        """
        where = f"{self._where}.add_schedule()"
        rows = [_checked(job, where) for job in scheduled]
        self._check_running("add_schedule")
        if rows:
            await self._write("upsert", (rows, self._seen))

    async def delete_schedule(self, job_id: str) -> None:
        """Remove the row of ``job_id``; a missing row is not an error."""
        self._check_running("delete_schedule")
        await self._write("delete", [_check_id(f"{self._where}.delete_schedule()", job_id)])

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        """Remove the rows of ``job_ids``; missing rows are not an error.

        Raises:
            TypeError: ``job_ids`` is a single ``str`` or holds a non-``str``.
        """
        where = f"{self._where}.delete_schedule_many()"
        if isinstance(job_ids, str | bytes):
            msg = (
                f"{where}: expected a sequence of job ids, got one string {job_ids!r}; "
                f"pass [{job_ids!r}] or call delete_schedule({job_ids!r})"
            )
            raise TypeError(msg)
        ids = [_check_id(where, job_id) for job_id in job_ids]
        self._check_running("delete_schedule_many")
        if ids:
            await self._write("delete", ids)

    async def set_aside(self, job_id: str, reason: str) -> None:
        """Mark the row of ``job_id`` as set aside, so it is no longer restored or adopted.

        The row stays, with ``reason``, for :meth:`get_quarantined` until it is
        deleted or replaced by ``add_schedule``. Fenced: only a row this node
        holds (its owner, under its current epoch) is marked; a missing row,
        or one another node took over, is left as it is.
        """
        if not isinstance(job_id, str) or not isinstance(reason, str):
            msg = f"{self._where}.set_aside({job_id!r}, {reason!r}): job_id and reason must be str"
            raise TypeError(msg)
        self._check_running("set_aside")
        await self._write("set_aside", (job_id, reason or "set aside without a reason"))

    async def get_quarantined(self) -> list[tuple[ScheduledJob, str]]:
        """Return the set-aside rows of the cluster with their reasons, soonest first."""
        self._check_running("get_quarantined")
        await self._drained_writes()
        sql = (
            "SELECT job_id, name, message, status, next_run_at, set_aside "  # noqa: S608
            f"FROM {_quote(self.schema)}.jobs WHERE set_aside IS NOT NULL "
            "ORDER BY next_run_at, job_id"
        )

        async def read(conn: Any) -> list[tuple[ScheduledJob, str]]:
            records = await self._round_trip(conn, "fetch", sql)
            return [(_from_record(r), str(r["set_aside"])) for r in records]

        return await self._retry("get_quarantined", read)

    # --- the ClusterStorage contract -----------------------------------------------

    async def join(
        self, adopt: Callable[[Sequence[ScheduledJob]], Awaitable[None]]
    ) -> list[ScheduledJob]:
        """Join the cluster: return this node's rows plus the orphans it adopts now.

        Orphans are rows with no owner or whose owner holds no live lease (a
        node that died, or an earlier run of this app); RUNNING ones become
        SCHEDULED, and the dead nodes' leases are taken over (a new epoch).
        From now on, rows of nodes whose lease expires, or that leave, are
        adopted by the adoption task and passed to ``await adopt(rows)``,
        batch by batch; so are this node's own rows when it joins again
        after its lease expired.

        Raises:
            PostgresStorageStateError: not running, or joined already.
        """
        self._check_running("join")
        self._check_writable("join")
        if self._adopt is not None:
            msg = f"{self._where}.join(): this node joined already; join once per startup()"
            raise PostgresStorageStateError(msg)
        await self._drained_writes()
        s = _quote(self.schema)
        owned_sql = (
            "SELECT job_id, name, message, status, next_run_at, paused, run_requested "  # noqa: S608
            f"FROM {s}.jobs WHERE owner = $1 AND set_aside IS NULL"
        )
        node = self._node_id

        async def owned(conn: Any) -> list[ScheduledJob]:
            records = await self._round_trip(conn, "fetch", owned_sql, node)
            self._resync_rows(records)
            return [_from_record(r) for r in records]

        rows = await self._retry("join", owned)
        await self._retry("join", self._mark_joined)
        await self._retry("join", self._take_over_dead)
        orphan = (
            f"(j.owner IS NULL OR NOT EXISTS (SELECT 1 FROM {s}.nodes n "  # noqa: S608
            "WHERE n.node_id = j.owner AND n.lease_until >= now())) "
            "AND j.owner IS DISTINCT FROM $1"
        )
        rows += await self._adopt_rows("join", orphan, ())
        self._adopt = adopt
        await self._retry("join", self._listen)
        if self._wake is not None:
            self._wake.set()  # tidy up dead nodes' rows in the next beat
        rows.sort(key=lambda r: (r.next_run_at, r.job_id))
        return rows

    async def _mark_joined(self, conn: Any) -> None:
        """Say in ``nodes`` that this node is a scheduler: its new rows are not broadcast.

        The change feed reports the rows a producer or an operator stores to
        every node; a row a joined node stores is armed by that node, and
        the others meet it through claims and adoption (``_feed``).
        """
        await conn.execute(
            f"UPDATE {_quote(self.schema)}.nodes SET joined = true WHERE node_id = $1",  # noqa: S608
            self._node_id,
        )

    async def claim(self, job_id: str, due: datetime) -> Claim:
        """Take the run of ``job_id`` armed for ``due``: one atomic conditional update.

        Won when the row is SCHEDULED with ``next_run_at <= due`` and not
        paused (it becomes RUNNING, owned by this node under its epoch), or is
        RUNNING owned by this node with ``next_run_at <= due`` already (a repeat after a lost
        reply), and this node's lease is live under its epoch, checked in the
        same statement. Claims made in one loop turn share one statement. A
        concurrent claimer is waited for, never skipped, so a lost claim
        means another node has it. A node whose lease expired (on the
        database, or on its own clock: no renewal for ``lease_seconds``)
        joins again first, and hands the rows it still owns to the kernel;
        a won claim whose answer reaches the caller after the lease ran out
        here (a pause in between) is asked again the same way.
        """
        _check_id(f"{self._where}.claim()", job_id)
        _check_due(f"{self._where}.claim()", job_id, due)
        self._check_running("claim")
        self._check_writable("claim")
        assert self._claims is not None  # noqa: S101 - set by startup
        assert self._loop is not None  # noqa: S101
        while True:
            result: Claim = await self._claims.put("claim", (job_id, due))
            if not result.won or self._loop.time() - self._renewed_at <= self.lease_seconds:
                return result
            # Won, but the lease ran out here before the caller got the answer (the
            # process was paused meanwhile): the run may have been adopted and run
            # elsewhere. Join again and ask again (a run still this node's is won
            # again). Checked here, in the caller's task, so that nothing yields to
            # the loop between this check and the start of the run.
            await self._rejoined(self._epoch)
            self._check_running("claim")

    async def advance(self, row: ScheduledJob, claimed: datetime) -> Claim:
        """Replace the row of the run this node claimed at ``claimed`` by ``row``, fenced.

        One conditional update, shared by the calls of one loop turn: won
        when the row is owned by this node under its current epoch, is not
        set aside, and its ``next_run_at`` is ``claimed``. Otherwise nothing is
        written and the row as it is now comes back (None: it is gone).

        Raises:
            TypeError: a bad row or a naive ``claimed`` (before anything is sent).
            ValueError: ``row.next_run_at`` is before ``claimed``.
        """
        where = f"{self._where}.advance()"
        checked = _checked(row, where)
        _check_due(where, checked.job_id, claimed)
        if checked.next_run_at < claimed:
            msg = (
                f"{where}: row {checked.job_id!r}: next_run_at {checked.next_run_at.isoformat()} "
                f"is before the claimed run {claimed.isoformat()}; a row never moves back"
            )
            raise ValueError(msg)
        self._check_running("advance")
        result: Claim = await self._write("advance", (checked, claimed))
        return result

    async def release(self, held: Mapping[str, datetime]) -> set[str]:
        """Delete the rows of the runs this node claimed (``held``: id -> run) that it holds.

        Fenced as :meth:`advance`: one conditional ``DELETE`` (shared by the
        calls of one loop turn). Returns the ids whose rows were deleted.
        """
        where = f"{self._where}.release()"
        if not isinstance(held, Mapping):
            msg = f"{where}: expected a mapping of job id -> claimed run, got {held!r}"
            raise TypeError(msg)
        items = [(_check_id(where, job_id), at) for job_id, at in held.items()]
        for job_id, at in items:
            _check_due(where, job_id, at)
        self._check_running("release")
        if not items:
            return set()
        result: set[str] = await self._write("release", items)
        return result

    async def add_schedule_if_absent(self, scheduled: ScheduledJob) -> ScheduledJob:
        """Insert ``scheduled`` (owned here) unless its ``job_id`` exists; return the stored row."""
        row = _checked(scheduled, f"{self._where}.add_schedule_if_absent()")
        self._check_running("add_schedule_if_absent")
        stored: ScheduledJob = await self._write("if_absent", row)
        return stored

    # --- writes ----------------------------------------------------------------------

    async def _write(self, kind: str, args: Any) -> Any:
        self._check_writable(_CALLS.get(kind, kind))
        assert self._writes is not None  # noqa: S101 - set by startup
        return await self._writes.put(kind, args)

    async def _drained_writes(self) -> None:
        if self._writes is not None and self._writes.busy:
            await self._writes.drain()

    async def _flush_writes(self, ops: list[_Op]) -> None:
        """Run the writes of one turn, in order, as one statement or one transaction."""
        self._counts["write_batches"] += 1
        self._counts["largest_write_batch"] = max(self._counts["largest_write_batch"], len(ops))
        segments: list[list[_Op]] = []
        for op in ops:  # consecutive calls of a kind share a statement
            if segments and segments[-1][0].kind == op.kind and op.kind != "if_absent":
                segments[-1].append(op)
            else:
                segments.append([op])
        what = ops[0].kind if len(segments) == 1 else "write batch"
        name = _CALLS.get(what, what)
        segments = _split_repeats(segments)  # a fenced statement touches each row once

        async def run(conn: Any) -> list[list[Any]]:
            if len(segments) == 1:
                return [await self._run_segment(conn, segments[0])]
            self._counts["round_trips"] += 2  # BEGIN, COMMIT
            async with conn.transaction():
                return [await self._run_segment(conn, seg) for seg in segments]

        try:
            results = await self._retry(name, run)
        except PostgresStorageError as exc:
            if len(ops) == 1:
                _settle(ops[0], error=exc)
                return
            # one bad call must not fail its neighbours: run each on its own
            for op in ops:
                try:
                    result = await self._retry(op.kind, functools.partial(self._alone, op))
                except PostgresStorageError as single:
                    _settle(op, error=single)
                else:
                    _settle(op, result[0])
            return
        for seg, seg_results in zip(segments, results, strict=True):
            for op, result in zip(seg, seg_results, strict=True):
                _settle(op, result)

    async def _alone(self, op: _Op, conn: Any) -> list[Any]:
        return await self._run_segment(conn, [op])

    async def _run_segment(self, conn: Any, seg: list[_Op]) -> list[Any]:
        """Run consecutive calls of one kind; return one result per call.

        The fenced kinds (advance, release, set_aside) compare with this
        node's epoch as it is when the statement is sent; a re-join waits for
        the batch on its way before it changes the epoch.
        """
        s = _quote(self.schema)
        kind = seg[0].kind
        if kind == "advance":
            return await self._run_advance(conn, seg)
        if kind == "release":
            return await self._run_release(conn, seg)
        if kind in OPERATION_KINDS:
            return await self._run_operation(conn, seg)
        node = self._node_id
        assert node is not None  # noqa: S101 - a running storage that writes has an id
        if kind == "upsert":
            return await self._run_upsert(conn, seg, node)
        if kind == "delete":
            ids = sorted({job_id for op in seg for job_id in op.args})
            rec = await self._round_trip(
                conn,
                "fetchrow",
                f"WITH gone AS (DELETE FROM {s}.jobs WHERE job_id = ANY($1::text[]) "  # noqa: S608
                f"RETURNING job_id), {stamp(s, when='EXISTS (SELECT 1 FROM gone)')}, "
                f"tomb AS (INSERT INTO {s}.changes (job_id, version, writer, deleted, at) "
                "SELECT job_id, (SELECT version FROM v), $2, true, now() FROM gone "
                "ORDER BY job_id ON CONFLICT (job_id) DO UPDATE SET version = EXCLUDED.version, "
                "writer = EXCLUDED.writer, deleted = true, at = EXCLUDED.at) "
                "SELECT (SELECT count(*) FROM gone) AS deleted, "
                f"{notify('$3', '$4', 'EXISTS (SELECT 1 FROM gone)')} AS notified",
                ids,
                node,
                self.channel,
                notice(node),
            )
            self._counts["rows_deleted"] += int(rec["deleted"])
            return [None] * len(seg)
        if kind == "set_aside":
            for op in seg:
                job_id, reason = op.args
                status = await self._round_trip(
                    conn,
                    "execute",
                    f"UPDATE {s}.jobs SET set_aside = $2, updated_at = now() "  # noqa: S608
                    "WHERE job_id = $1 AND owner = $3 AND epoch = $4",
                    job_id,
                    reason,
                    self._node_id,
                    self._epoch,
                )
                if status.endswith(" 0"):
                    self._counts["writes_lost"] += 1
            return [None] * len(seg)
        (op,) = seg  # if_absent: rare (once per declared cron task and start)
        row = op.args
        rec = await self._round_trip(
            conn,
            "fetchrow",
            f"WITH {stamp(s, bump=self._adopt is None)}, ins AS (INSERT INTO {s}.jobs "  # noqa: S608
            "(job_id, name, message, status, next_run_at, owner, epoch, version, writer) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT version FROM v), $6) "
            "ON CONFLICT (job_id) DO NOTHING "
            "RETURNING job_id, name, message, status, next_run_at) "
            f"SELECT *, {notify('$8', '$9', '$10::boolean')} AS notified FROM ins UNION ALL "
            f"SELECT job_id, name, message, status, next_run_at, 0 FROM {s}.jobs "
            "WHERE job_id = $1 AND NOT EXISTS (SELECT 1 FROM ins)",
            row.job_id,
            row.name,
            row.message,
            JobStatus(row.status).value,
            row.next_run_at,
            node,
            self._epoch,
            self.channel,
            notice(node),
            self._adopt is None,  # a joined node's rows are not reported: no notice
        )
        if rec is None:  # deleted between the conflict and the read: try again
            return await self._run_segment(conn, seg)
        return [_from_record(rec)]

    async def _run_upsert(self, conn: Any, seg: list[_Op], node: str) -> list[None]:
        """One upsert of the rows of a segment (each job once: the last wins), stamped.

        The rows keep their control flags. A storage that reads the change
        feed does not store again a row another writer deleted after the
        oldest cursor its calls read (the delete wins, see ``ChangeFeed``).
        """
        s = _quote(self.schema)
        latest: dict[str, ScheduledJob] = {}
        seen: list[int] = []
        for op in seg:
            rows, op_seen = op.args
            if op_seen is not None:
                seen.append(op_seen)
            for row in rows:
                latest[row.job_id] = row  # one statement may touch a row once: last wins
        ordered = sorted(latest.values(), key=lambda r: r.job_id)  # lock order: no deadlock
        rec = await self._round_trip(
            conn,
            "fetchrow",
            f"WITH {stamp(s, bump=self._adopt is None)}, ins AS (INSERT INTO {s}.jobs AS j "  # noqa: S608
            "(job_id, name, message, status, next_run_at, owner, epoch, set_aside, "
            "updated_at, version, writer) "
            "SELECT r.job_id, r.name, r.message, r.status, r.next_run_at, $6, $7, NULL, "
            "now(), (SELECT version FROM v), $6 FROM unnest($1::text[], $2::text[], "
            "$3::bytea[], $4::text[], $5::timestamptz[]) "
            "AS r(job_id, name, message, status, next_run_at) "
            f"WHERE $8::bigint IS NULL OR EXISTS (SELECT 1 FROM {s}.jobs x "
            "WHERE x.job_id = r.job_id) OR NOT EXISTS (SELECT 1 FROM "
            f"{s}.changes c WHERE c.job_id = r.job_id AND c.deleted AND c.version > $8 "
            "AND c.writer <> $6) ORDER BY r.job_id "
            "ON CONFLICT (job_id) DO UPDATE SET name = EXCLUDED.name, "
            "message = EXCLUDED.message, status = EXCLUDED.status, "
            "next_run_at = EXCLUDED.next_run_at, owner = EXCLUDED.owner, "
            "epoch = EXCLUDED.epoch, set_aside = NULL, updated_at = now(), "
            "version = EXCLUDED.version, writer = EXCLUDED.writer RETURNING 1) "
            "SELECT (SELECT count(*) FROM ins) AS written, "
            f"{notify('$9', '$10', '$11::boolean')} AS notified",
            [r.job_id for r in ordered],
            [r.name for r in ordered],
            [r.message for r in ordered],
            [JobStatus(r.status).value for r in ordered],
            [r.next_run_at for r in ordered],
            node,
            self._epoch,
            min(seen) if seen else None,
            self.channel,
            notice(node),
            self._adopt is None,  # a joined node's rows are not reported (_feed): no notice
        )
        self._counts["rows_written"] += int(rec["written"])
        return [None] * len(seg)

    async def _run_advance(self, conn: Any, seg: list[_Op]) -> list[Claim]:
        """One fenced update for the advances of a segment (each job once)."""
        s = _quote(self.schema)
        rows: list[ScheduledJob] = [op.args[0] for op in seg]
        records = await self._round_trip(
            conn,
            "fetch",
            "WITH req AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], "  # noqa: S608
            "$4::text[], $5::timestamptz[], $6::timestamptz[]) "
            "AS r(job_id, name, message, status, next_run_at, claimed)), "
            "cur AS (SELECT j.job_id, j.name, j.message, j.status, j.next_run_at, j.owner, "
            f"j.epoch, j.set_aside FROM {s}.jobs j JOIN req USING (job_id) "
            "ORDER BY j.job_id FOR UPDATE OF j), "
            f"won AS (UPDATE {s}.jobs j SET name = req.name, message = req.message, "
            "status = req.status, next_run_at = req.next_run_at, updated_at = now() "
            "FROM cur JOIN req USING (job_id) WHERE j.job_id = cur.job_id "
            "AND cur.owner = $7 AND cur.epoch = $8 AND cur.set_aside IS NULL "
            "AND cur.next_run_at = req.claimed AND req.next_run_at >= cur.next_run_at "
            "RETURNING j.job_id, j.name, j.message, j.status, j.next_run_at) "
            "SELECT true AS won, * FROM won UNION ALL "
            "SELECT false, cur.job_id, cur.name, cur.message, cur.status, cur.next_run_at "
            "FROM cur WHERE cur.job_id NOT IN (SELECT job_id FROM won)",
            [r.job_id for r in rows],
            [r.name for r in rows],
            [r.message for r in rows],
            [JobStatus(r.status).value for r in rows],
            [r.next_run_at for r in rows],
            [op.args[1] for op in seg],
            self._node_id,
            self._epoch,
        )
        answers = {rec["job_id"]: Claim(bool(rec["won"]), _from_record(rec)) for rec in records}
        results = [answers.get(r.job_id, Claim(won=False, row=None)) for r in rows]
        self._counts["writes_lost"] += sum(not c.won for c in results)
        return results

    async def _run_release(self, conn: Any, seg: list[_Op]) -> list[set[str]]:
        """One fenced delete for the releases of a segment (each job once).

        A row updated by another transaction meanwhile is checked again on
        its latest version (``READ COMMITTED``), so the condition holds when
        the row goes.
        """
        s = _quote(self.schema)
        items = [item for op in seg for item in op.args]
        records = await self._round_trip(
            conn,
            "fetch",
            f"DELETE FROM {s}.jobs j USING unnest($1::text[], $2::timestamptz[]) "  # noqa: S608
            "AS r(job_id, claimed) WHERE j.job_id = r.job_id AND j.owner = $3 "
            "AND j.epoch = $4 AND j.next_run_at = r.claimed RETURNING j.job_id",
            [job_id for job_id, _ in items],
            [at for _, at in items],
            self._node_id,
            self._epoch,
        )
        gone = {rec["job_id"] for rec in records}
        self._counts["rows_deleted"] += len(gone)
        self._counts["writes_lost"] += len(items) - len(gone)
        return [{job_id for job_id, _ in op.args} & gone for op in seg]

    # --- claims ----------------------------------------------------------------------

    async def _flush_claims(self, ops: list[_Op]) -> None:
        assert self._claims is not None  # noqa: S101
        batch: dict[str, _Op] = {}
        for op in ops:
            if op.args[0] in batch:  # the same job twice: the second waits for the next batch
                self._claims.pending.append(op)
            else:
                batch[op.args[0]] = op
        self._counts["claim_batches"] += 1
        self._counts["largest_claim_batch"] = max(self._counts["largest_claim_batch"], len(batch))
        ids = sorted(batch)
        dues = [batch[i].args[1] for i in ids]
        s = _quote(self.schema)
        # The claimer's lease is locked (FOR SHARE) and checked first: an adopter taking
        # it over waits or skips it, so no claim is won under a lease taken over. Then
        # every requested row is locked in job_id order (no deadlock between two nodes'
        # batches); FOR UPDATE waits for a concurrent claimer and then sees its
        # committed row, so the condition is checked on the latest version.
        sql = (
            "WITH req AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS r(job_id, due)), "  # noqa: S608
            f"lease AS (SELECT node_id FROM {s}.nodes WHERE node_id = $3 AND epoch = $4 "
            "AND lease_until >= clock_timestamp() FOR SHARE), "
            "cur AS (SELECT j.job_id, j.name, j.message, j.status, j.next_run_at, j.owner, "
            f"j.epoch, j.set_aside, j.paused, req.due FROM {s}.jobs j JOIN req USING (job_id) "
            "WHERE EXISTS (SELECT 1 FROM lease) ORDER BY j.job_id FOR UPDATE OF j), "
            f"won AS (UPDATE {s}.jobs j SET status = '{_RUNNING}', owner = $3, epoch = $4, "
            "updated_at = now() FROM cur WHERE j.job_id = cur.job_id "
            "AND cur.set_aside IS NULL AND NOT cur.paused AND cur.next_run_at <= cur.due "
            f"AND (cur.status = '{_SCHEDULED}' OR (cur.status = '{_RUNNING}' "
            "AND cur.owner = $3 AND cur.epoch = $4)) "
            "RETURNING j.job_id, j.name, j.message, j.status, j.next_run_at) "
            "SELECT true AS lease, true AS won, * FROM won UNION ALL "
            "SELECT true, false, cur.job_id, cur.name, cur.message, cur.status, cur.next_run_at "
            "FROM cur WHERE cur.job_id NOT IN (SELECT job_id FROM won) UNION ALL "
            "SELECT false, false, NULL, NULL, NULL, NULL, NULL "
            "WHERE NOT EXISTS (SELECT 1 FROM lease)"
        )
        node = self._node_id
        sent_with = self._epoch

        async def run(conn: Any) -> list[Any]:
            nonlocal sent_with
            sent_with = self._epoch
            records: list[Any] = await self._round_trip(
                conn, "fetch", sql, ids, dues, node, sent_with
            )
            return records

        try:
            while True:
                assert self._loop is not None  # noqa: S101 - started
                if self._loop.time() - self._renewed_at > self.lease_seconds:
                    # no renewal for a whole lease: it has expired on the database too
                    await self._rejoined(self._epoch)
                records = await self._retry("claim", run)
                if not records or records[-1]["lease"]:
                    break
                await self._rejoined(sent_with)  # the lease was lost: join again, then ask again
                self._check_running("claim")
        except (PostgresStorageError, PostgresStorageStateError) as exc:
            for op in batch.values():
                _settle(op, error=exc)
            return
        answers: dict[str, Claim] = {}
        for rec in records:
            answers[rec["job_id"]] = Claim(bool(rec["won"]), _from_record(rec))
        for job_id, op in batch.items():
            answer = answers.get(job_id, Claim(won=False, row=None))
            self._counts["claims_won" if answer.won else "claims_lost"] += 1
            _settle(op, answer)

    # --- leases, epochs and adoption -------------------------------------------------

    def _lease_sql(self) -> tuple[str, str]:
        """The statements that acquire a lease (a new epoch) and renew it (same epoch)."""
        s = _quote(self.schema)
        acquire = (
            f"INSERT INTO {s}.nodes AS n (node_id, lease_until, epoch) "  # noqa: S608
            f"VALUES ($1, now() + make_interval(secs => $2), nextval('{s}.epochs')) "
            "ON CONFLICT (node_id) DO UPDATE SET lease_until = EXCLUDED.lease_until, "
            "epoch = EXCLUDED.epoch RETURNING epoch"
        )
        renew = (
            f"UPDATE {s}.nodes SET lease_until = now() + make_interval(secs => $3) "  # noqa: S608
            "WHERE node_id = $1 AND epoch = $2 AND lease_until >= clock_timestamp() "
            f"RETURNING true AS renewed, (SELECT version FROM {s}.feed) AS feed"
        )
        return acquire, renew

    async def _acquire_lease(self, conn: Any) -> int:
        """Start this node's lease under a new epoch; return the epoch."""
        acquire, _ = self._lease_sql()
        epoch: int = await conn.fetchval(acquire, self._node_id, float(self.lease_seconds))
        return epoch

    async def _renew(self, conn: Any) -> bool:
        """Extend this node's lease on the database clock, if it is live under its epoch.

        False: the lease expired, or an adopter took it over (its epoch
        changed), or an adopter deleted it; the node must join again.
        """
        _, renew = self._lease_sql()
        assert self._loop is not None  # noqa: S101 - started
        epoch, sent = self._epoch, self._loop.time()
        renewed = await conn.fetchrow(renew, self._node_id, epoch, float(self.lease_seconds))
        if renewed is None:
            return False
        if self._epoch == epoch:
            self._renewed_at = sent
        self._feed_beat(renewed["feed"])  # a change notice lost with the listener shows here
        return True

    async def _lease_loop(self) -> None:
        """Renew the lease every third of ``lease_seconds``, and nothing else.

        Adoption runs in its own task (:meth:`_adoption_loop`), so a long
        adoption never holds up this node's renewals. A renewal that finds
        the lease lost starts a re-join (:meth:`_rejoin`).
        """
        interval = self.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            if self._rejoin_task is not None:
                continue  # joining again acquires a fresh lease
            epoch = self._epoch
            try:
                async with asyncio.timeout(interval):
                    async with self._pool.acquire() as conn:
                        renewed = await self._renew(conn)
                        if renewed and self._loop_time() >= self._next_trim:
                            self._next_trim = self._loop_time() + TRIM_SECONDS
                            await self._trim_changes(conn)
            except (*_CONNECTION_ERRORS, *_TRANSIENT_ERRORS) as exc:
                log.debug("%s: lease renewal failed (%s); next beat", self._where, exc)
            except Exception:
                log.exception("%s: lease renewal failed", self._where)
            else:
                if not renewed:
                    self._start_rejoin(epoch)

    def _loop_time(self) -> float:
        assert self._loop is not None  # noqa: S101 - started
        return self._loop.time()

    # --- joining again after the lease was lost --------------------------------------

    def _start_rejoin(self, lost: int) -> asyncio.Task[None] | None:
        """Start a re-join unless one runs, or this node joined again since epoch ``lost``."""
        if self._rejoin_task is None and self._epoch == lost and self._state is _State.RUNNING:
            assert self._loop is not None  # noqa: S101 - started
            self._rejoin_task = self._loop.create_task(
                self._rejoin(), name=f"jobify-postgres-rejoin:{self._node_id}"
            )
        return self._rejoin_task

    async def _rejoined(self, lost: int) -> None:
        """Wait until this node joined again after losing its lease under epoch ``lost``."""
        task = self._start_rejoin(lost)
        if task is not None:
            await asyncio.wait([task])  # its failure or cancellation is its own

    async def _rejoin(self) -> None:
        """Join again after the lease was lost: stop claiming, new epoch, rows handed over.

        Claims wait from the start; the write batch on its way (sent under
        the old epoch) is let through first, then new writes wait too. One
        transaction renews the lease if it is live after all (nothing else
        happens), or takes a new epoch and stamps it on every row this node
        still owns (their status kept: their runs are this node's). Writes
        go on from there; the rows go to the kernel's ``adopt`` callback,
        and only then are claims answered, under the new epoch.
        """
        loop, claims, writes = self._loop, self._claims, self._writes
        assert loop is not None  # noqa: S101 - started
        assert claims is not None  # noqa: S101
        assert writes is not None  # noqa: S101
        claims.hold()
        writes.hold()
        try:
            if writes.flushing is not None:
                await asyncio.wait([writes.flushing])
            while True:
                sent = loop.time()
                try:
                    outcome = await self._retry("rejoin", self._rejoin_tx)
                    break
                except PostgresStorageError:
                    log.exception("%s: could not join again; retrying", self._where)
                    await asyncio.sleep(self.retry_max_delay)
            if outcome is None:  # live after all: a late renewal, not an expiry
                self._renewed_at = sent
                return
            epoch, rows = outcome
            away = sent - self._renewed_at
            self._epoch, self._renewed_at = epoch, sent
            self._counts["rejoins"] += 1
            writes.release()
            log.warning(
                "%s: node %s found its lease expired after %.1f s without a renewal (lease "
                "%ss): other nodes may have taken its jobs over. It stopped claiming, joined "
                "again with epoch %d and re-read the %d job(s) it still owns before claiming "
                "again; its writes to jobs taken over are lost, as they must be",
                self._where, self._node_id, away, self.lease_seconds, epoch, len(rows),
            )  # fmt: skip
            if rows and self._adopt is not None:
                await self._adopt(rows)
        finally:
            writes.release()
            claims.release()
            self._rejoin_task = None

    async def _rejoin_tx(self, conn: Any) -> tuple[int, list[ScheduledJob]] | None:
        acquire, renew = self._lease_sql()
        s = _quote(self.schema)
        lease = float(self.lease_seconds)
        async with conn.transaction():
            if await conn.fetchval(renew, self._node_id, self._epoch, lease):
                return None
            epoch: int = await conn.fetchval(acquire, self._node_id, lease)
            await self._mark_joined(conn)  # an adopter may have deleted its row in nodes
            records = await conn.fetch(
                f"UPDATE {s}.jobs SET epoch = $2, updated_at = now() WHERE owner = $1 "  # noqa: S608
                "RETURNING job_id, name, message, status, next_run_at, set_aside, paused, "
                "run_requested",
                self._node_id,
                epoch,
            )
        kept = [r for r in records if r["set_aside"] is None]
        self._resync_rows(kept)
        return epoch, [_from_record(r) for r in kept]

    async def _own_lease_live(self) -> bool:
        """Whether this node's lease is live under its epoch; starts a re-join if not."""
        s = _quote(self.schema)
        epoch = self._epoch
        async with self._pool.acquire() as conn:
            live = await conn.fetchval(
                f"SELECT true FROM {s}.nodes WHERE node_id = $1 AND epoch = $2 "  # noqa: S608
                "AND lease_until >= clock_timestamp()",
                self._node_id,
                epoch,
            )
        if not live:
            self._start_rejoin(epoch)
        return bool(live)

    # --- adoption ----------------------------------------------------------------------

    async def _adoption_loop(self) -> None:
        """Once joined, adopt dead nodes' rows every third of ``lease_seconds`` or when woken.

        A notice that a node left, or the listener coming back, wakes it at once.
        """
        assert self._wake is not None  # noqa: S101
        interval = self.lease_seconds / 3
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._wake.wait()
            self._wake.clear()
            if self._adopt is None or self._rejoin_task is not None:
                continue
            try:
                # no time limit: a batch taken is handed over whole, and _retry rides
                # out connection loss; shutdown cancels this task
                await self._adopt_dead_nodes()
            except (*_CONNECTION_ERRORS, *_TRANSIENT_ERRORS) as exc:
                log.debug("%s: adoption beat failed (%s); next beat", self._where, exc)
            except Exception:
                log.exception("%s: adoption beat failed", self._where)

    async def _take_over_dead(self, conn: Any) -> list[str]:
        """Take over the leases that expired: each gets a new epoch; return their node ids.

        SKIP LOCKED: a locked lease is being renewed or re-acquired (its node
        is alive after all); waiting for it would hold this beat up.
        """
        s = _quote(self.schema)
        taken: list[str] = [
            r["node_id"]
            for r in await conn.fetch(
                f"UPDATE {s}.nodes n SET epoch = nextval('{s}.epochs') "  # noqa: S608
                f"FROM (SELECT node_id FROM {s}.nodes WHERE lease_until < now() "
                "AND node_id <> $1 ORDER BY node_id FOR UPDATE SKIP LOCKED) d "
                "WHERE n.node_id = d.node_id RETURNING n.node_id",
                self._node_id,
            )
        ]
        return taken

    async def _adopt_dead_nodes(self) -> None:
        s = _quote(self.schema)
        await self._ensure_listener()  # first: a leave after the query below is heard
        if not await self._own_lease_live():
            return  # this node joins again first; it adopts at a later beat
        dead = await self._retry("adopt", self._take_over_dead)
        if not dead:
            return
        # the lease is checked again: a node that renewed since the query above is alive
        # each batch goes to the kernel as soon as it is taken: rows this node owns
        # must be armed even if a later batch fails
        rows = await self._adopt_rows(
            "adopt",
            f"j.owner = ANY($3::text[]) AND NOT EXISTS (SELECT 1 FROM {s}.nodes n "  # noqa: S608
            "WHERE n.node_id = j.owner AND n.lease_until >= now())",
            (dead,),
            hand_over=self._adopt,
        )
        if rows:
            log.info(
                "%s: adopted %d job(s) from %d dead node(s)", self._where, len(rows), len(dead)
            )
        async with self._pool.acquire() as conn:
            # SKIP LOCKED: a locked row is being renewed (its node is alive after all),
            # and waiting for it would hold up this node's own renewals
            await conn.execute(
                f"DELETE FROM {s}.nodes WHERE node_id IN (SELECT n.node_id FROM {s}.nodes n "  # noqa: S608
                "WHERE n.node_id = ANY($1::text[]) AND n.lease_until < now() "
                f"AND NOT EXISTS (SELECT 1 FROM {s}.jobs j WHERE j.owner = n.node_id) "
                "FOR UPDATE SKIP LOCKED)",
                dead,
            )

    async def _adopt_rows(
        self,
        what: str,
        condition: str,
        args: tuple[Any, ...],
        hand_over: Callable[[Sequence[ScheduledJob]], Awaitable[None]] | None = None,
    ) -> list[ScheduledJob]:
        """Take the rows matching ``condition`` in batches that concurrent adopters split.

        ``$1`` is this node's id and ``$2`` its epoch; ``args`` follow. Rows are
        taken only while this node's own lease is live under that epoch, and
        carry the epoch from then on. ``hand_over`` gets each batch as soon as
        it is taken (the kernel's adopt callback); the rows taken are returned too.
        """
        s = _quote(self.schema)
        sql = (
            f"WITH pick AS (SELECT j.job_id FROM {s}.jobs j WHERE {condition} "  # noqa: S608
            f"AND EXISTS (SELECT 1 FROM {s}.nodes me WHERE me.node_id = $1 AND me.epoch = $2 "
            "AND me.lease_until >= clock_timestamp()) "
            f"ORDER BY j.job_id LIMIT {_ADOPT_BATCH} FOR UPDATE SKIP LOCKED) "
            f"UPDATE {s}.jobs j SET owner = $1, epoch = $2, updated_at = now(), status = CASE "
            f"WHEN j.status = '{_RUNNING}' THEN '{_SCHEDULED}' ELSE j.status END "
            "FROM pick WHERE j.job_id = pick.job_id RETURNING j.job_id, j.name, j.message, "
            "j.status, j.next_run_at, j.set_aside, j.paused, j.run_requested"
        )
        adopted: list[ScheduledJob] = []
        while True:

            async def take(conn: Any) -> list[Any]:
                records: list[Any] = await conn.fetch(sql, self._node_id, self._epoch, *args)
                return records

            records = await self._retry(what, take)
            self._counts["rows_adopted"] += len(records)
            batch = [_from_record(r) for r in records if r["set_aside"] is None]
            self._resync_rows([r for r in records if r["set_aside"] is None])
            adopted += batch
            if batch and hand_over is not None:
                await hand_over(batch)
            if len(records) < _ADOPT_BATCH:
                return adopted

    # --- LISTEN/NOTIFY -----------------------------------------------------------------

    async def _listen(self, _conn: Any) -> None:
        listener = await asyncpg.connect(
            self.dsn,
            timeout=self.command_timeout,
            command_timeout=self.command_timeout,
            server_settings={"application_name": self._application_name},
        )
        try:
            await listener.add_listener(self.channel, self._on_notice)
        except BaseException:
            listener.terminate()
            raise
        old, self._listener = self._listener, listener
        listener.add_termination_listener(self._on_listener_lost)
        if old is not None:
            old.terminate()

    async def _ensure_listener(self) -> None:
        """Reconnect the listening connection if it was lost (adoption falls back on leases)."""
        if self._listen_task is None and (self._listener is None or self._listener.is_closed()):
            try:
                await self._listen(None)
            except _CONNECTION_ERRORS as exc:
                log.debug("%s: cannot listen on %s yet: %s", self._where, self.channel, exc)

    def _on_listener_lost(self, connection: Any) -> None:
        """The listening connection closed: reopen it at once, not at the next beat."""
        if connection is not self._listener or self._state is not _State.RUNNING:
            return  # replaced, or closed by shutdown()
        if self._listen_task is None and self._loop is not None:
            log.warning(
                "%s: lost the connection listening on %s; reopening it", self._where, self.channel
            )
            self._listen_task = self._loop.create_task(
                self._relisten(), name=f"jobify-postgres-listen:{self._node_id}"
            )

    async def _relisten(self, *, first: bool = False) -> None:
        """(Re)open the listening connection with backoff; then run an adoption beat.

        A node that left while nobody listened is found by that beat: a leave
        ends the lease (``-infinity``), so its rows are adopted at once anyway.
        The change feed's watcher is called back too, for changes whose
        notices were lost. ``first``: the watch opens it; nothing was lost.
        """
        delay = _RETRY_START
        try:
            while True:
                try:
                    await self._listen(None)
                except Exception as exc:  # kept trying until shutdown
                    log.debug("%s: cannot listen on %s yet: %s", self._where, self.channel, exc)
                    await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311
                    delay = min(delay * 2, self.retry_max_delay)
                    continue
                if not first:
                    log.warning("%s: listening on %s again", self._where, self.channel)
                if self._wake is not None:
                    self._wake.set()
                self._feed_changed()
                return
        finally:
            self._listen_task = None

    def _on_notice(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        writer = changed_by(payload)
        if writer is not None:
            self._feed_noticed(writer)  # the change feed (_feed)
        elif payload != self._node_id and self._wake is not None:
            self._wake.set()  # a node left: adopt its rows now, not when its lease expires

    def _ensure_listening(self) -> None:
        """Open the listening connection in the background unless it is open or opening."""
        if self._listen_task is None and (self._listener is None or self._listener.is_closed()):
            assert self._loop is not None  # noqa: S101 - started
            self._listen_task = self._loop.create_task(
                self._relisten(first=True), name=f"jobify-postgres-listen:{self._node_id}"
            )

    async def _leave(self, conn: Any) -> None:
        s = _quote(self.schema)
        await conn.execute(
            f"WITH back AS (UPDATE {s}.jobs SET status = '{_SCHEDULED}', updated_at = now() "  # noqa: S608
            f"WHERE owner = $1 AND status = '{_RUNNING}'), "
            f"owns AS (SELECT EXISTS (SELECT 1 FROM {s}.jobs WHERE owner = $1) AS owns_any), "
            f"gone AS (DELETE FROM {s}.nodes WHERE node_id = $1 "
            "AND NOT (SELECT owns_any FROM owns)), "
            f"expire AS (UPDATE {s}.nodes SET lease_until = '-infinity' WHERE node_id = $1 "
            "AND (SELECT owns_any FROM owns)) "
            "SELECT pg_notify($2, $1) WHERE (SELECT owns_any FROM owns)",
            self._node_id,
            self.channel,
        )
