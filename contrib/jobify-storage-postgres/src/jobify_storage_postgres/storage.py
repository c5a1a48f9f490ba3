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

This module holds the public class and its options; each concern behind it
has a module of its own:

* ``_node``: what the parts share about this node (state, loop, id, epoch);
* ``_lifecycle``: startup, shutdown, and the tests' crash and pause;
* ``_connection``: the pool, retries and outages; ``_listener``: the
  connection that listens on the cluster's channel;
* ``_batching``: the calls of one loop turn as one batch; ``_writes``: the
  write batches and their statements; ``_claims``: the claim batches and
  the fenced writes that follow a run;
* ``_leases``: this node's lease, its epochs and re-joins; ``_adoption``:
  joining and adopting dead nodes' rows;
* ``_schema``: the tables and their migration; ``_feed``, ``_operations``
  and ``_view``: the abilities that operate a scheduler;
* ``_errors`` and ``_statistics``: the public error and statistics types.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs

from jobify import options
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
)
from jobify_storage_postgres._adoption import Adoption
from jobify_storage_postgres._base import quote, row_from
from jobify_storage_postgres._batching import CALLS
from jobify_storage_postgres._checks import (
    NODE_NAME,
    POOL_SIZE,
    SCHEMA,
    check_dsn,
    check_due,
    check_id,
    checked,
    checked_advance,
    checked_ids,
    checked_release,
)
from jobify_storage_postgres._claims import Claims
from jobify_storage_postgres._connection import Connection
from jobify_storage_postgres._errors import (
    PostgresSchemaError,
    PostgresStorageError,
    PostgresStorageStateError,
)
from jobify_storage_postgres._feed import FeedAbility
from jobify_storage_postgres._leases import Leases
from jobify_storage_postgres._lifecycle import Lifecycle
from jobify_storage_postgres._listener import Listener
from jobify_storage_postgres._node import Adopt, Node, where
from jobify_storage_postgres._operations import OperationsAbility
from jobify_storage_postgres._schema import SCHEMA_VERSION
from jobify_storage_postgres._statistics import PostgresStatistics, new_counts
from jobify_storage_postgres._view import ViewAbility
from jobify_storage_postgres._writes import Writes

__all__ = (
    "SCHEMA_VERSION",
    "PostgresSchemaError",
    "PostgresStatistics",
    "PostgresStorage",
    "PostgresStorageError",
    "PostgresStorageStateError",
)

T = TypeVar("T")


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

    dsn: str = attrs.field(default=None, validator=check_dsn)
    schema: str = attrs.field(default="jobify", kw_only=True, validator=SCHEMA)
    node_name: str | None = attrs.field(default=None, kw_only=True, validator=NODE_NAME)
    lease_seconds: float = attrs.field(
        default=15.0, kw_only=True, validator=options.seconds(example=15.0)
    )
    retry_max_delay: float = attrs.field(
        default=5.0, kw_only=True, validator=options.seconds(example=5.0)
    )
    pool_size: int = attrs.field(default=4, kw_only=True, validator=POOL_SIZE)
    command_timeout: float = attrs.field(
        default=30.0, kw_only=True, validator=options.seconds(example=30.0)
    )
    _read_only: bool = attrs.field(init=False, default=False)
    _layout: int = attrs.field(init=False, default=SCHEMA_VERSION)  # the schema version opened
    _seen: int | None = attrs.field(init=False, default=None)  # the last feed cursor read
    _heard: int = attrs.field(init=False, default=0)  # the feed version the watcher knows of
    _on_change: Callable[[], None] | None = attrs.field(init=False, default=None)
    _resync: set[str] = attrs.field(init=False, factory=set)  # flagged rows joined or adopted
    _counts: dict[str, int] = attrs.field(init=False, factory=new_counts)
    # the parts, each in a module of its own, sharing this node's state (see their modules)
    _node: Node = attrs.field(init=False, factory=Node)
    _connection: Connection = attrs.field(init=False)
    _writes: Writes = attrs.field(init=False)
    _claims: Claims = attrs.field(init=False)
    _leases: Leases = attrs.field(init=False)
    _listener: Listener = attrs.field(init=False)
    _adoption: Adoption = attrs.field(init=False)
    _lifecycle: Lifecycle = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        node, counts = self._node, self._counts
        self._connection = connection = Connection(node, self, counts)
        self._claims = claims = Claims(
            node, self, counts, connection,
            rejoined=self._rejoined, check_running=self._check_running,
        )  # fmt: skip
        self._writes = writes = Writes(node, self, counts, connection, claims, self._run_operation)
        self._leases = leases = Leases(
            node, self, counts, connection, (writes, claims),
            feed_beat=self._feed_beat, trim=self._trim_changes, resync=self._resync_rows,
        )  # fmt: skip
        self._listener = listener = Listener(
            node, self, noticed=self._feed_noticed, changed=self._feed_changed,
            wake=self._wake_adoption,
        )  # fmt: skip
        self._adoption = adoption = Adoption(
            node, self, counts, connection, leases, listener, resync=self._resync_rows
        )
        self._lifecycle = Lifecycle(
            node, self, (connection, writes, claims, leases, adoption, listener),
            describe=self.describe, on_start=self._feed_started, on_close=self._feed_closed,
        )  # fmt: skip

    @property
    def node_id(self) -> str | None:
        """This node's id in the cluster while started (a new one at each startup), else None."""
        return self._node.node_id

    @property
    def epoch(self) -> int | None:
        """This node's lease epoch while started: new at startup and at each re-join."""
        return self._node.epoch if self._node.node_id is not None else None

    @property
    def channel(self) -> str:
        """The ``LISTEN``/``NOTIFY`` channel of the cluster: ``<schema>_cluster``."""
        return f"{self.schema}_cluster"

    @property
    def _where(self) -> str:
        return where(self)

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
        self._layout = await self._lifecycle.start(read_only=self._read_only)

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
        await self._lifecycle.stop(read_only=self._read_only)

    async def _abort(self) -> None:
        """Drop everything without leaving the cluster, as a crash would (for tests).

        The lease is no longer renewed and nothing is handed back, so the
        other nodes adopt this node's rows only when its lease expires.
        """
        await self._lifecycle.abort()

    async def _suspend(self) -> None:
        """Stop renewing the lease and adopting, as a paused process would (for tests).

        :meth:`_resume` starts both again; whatever state the node had, it
        keeps, as a process does after ``SIGCONT``.
        """
        await self._lifecycle.suspend()

    def _resume(self) -> None:
        """Undo :meth:`_suspend` (for tests)."""
        self._lifecycle.resume()

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

    # --- state ---------------------------------------------------------------------

    def _check_running(self, what: str) -> None:
        self._node.check_running(what, self)

    # --- what the parts and the abilities share (one-line delegations) --------------

    @property
    def _node_id(self) -> str | None:
        return self._node.node_id

    @property
    def _epoch(self) -> int:
        return self._node.epoch

    @property
    def _loop(self) -> asyncio.AbstractEventLoop | None:
        return self._node.loop

    @property
    def _adopt(self) -> Adopt | None:
        return self._node.adopt

    def _retry(self, what: str, fn: Callable[[Any], Awaitable[T]]) -> Awaitable[T]:
        return self._connection.retry(what, fn)

    def _round_trip(self, conn: Any, method: str, sql: str, *args: Any) -> Awaitable[Any]:
        return self._connection.round_trip(conn, method, sql, *args)

    def _write(self, kind: str, args: Any) -> Awaitable[Any]:
        self._check_writable(CALLS.get(kind, kind))
        return self._writes.put(kind, args)

    def _drained_writes(self) -> Awaitable[None]:
        return self._writes.drained()

    def _ensure_listening(self) -> None:
        self._listener.ensure_listening()

    def _wake_adoption(self) -> None:
        self._adoption.wake()

    async def _rejoined(self, lost: int) -> None:
        await self._leases.rejoined(lost)

    # --- the Storage contract ----------------------------------------------------

    async def get_schedules(self) -> list[ScheduledJob]:
        """Return every row of the cluster that is not set aside, soonest first.

        Writes this node made before the call are seen (they are committed first).
        """
        self._check_running("get_schedules")
        await self._drained_writes()
        sql = (
            "SELECT job_id, name, message, status, next_run_at "  # noqa: S608
            f"FROM {quote(self.schema)}.jobs WHERE set_aside IS NULL "
            "ORDER BY next_run_at, job_id"
        )

        async def read(conn: Any) -> list[ScheduledJob]:
            return [row_from(r) for r in await self._round_trip(conn, "fetch", sql)]

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
        rows = [checked(job, where) for job in scheduled]
        self._check_running("add_schedule")
        if rows:
            await self._write("upsert", (rows, self._seen))

    async def delete_schedule(self, job_id: str) -> None:
        """Remove the row of ``job_id``; a missing row is not an error."""
        self._check_running("delete_schedule")
        await self._write("delete", [check_id(f"{self._where}.delete_schedule()", job_id)])

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        """Remove the rows of ``job_ids``; missing rows are not an error.

        Raises:
            TypeError: ``job_ids`` is a single ``str`` or holds a non-``str``.
        """
        ids = checked_ids(f"{self._where}.delete_schedule_many()", job_ids)
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
            f"FROM {quote(self.schema)}.jobs WHERE set_aside IS NOT NULL "
            "ORDER BY next_run_at, job_id"
        )

        async def read(conn: Any) -> list[tuple[ScheduledJob, str]]:
            records = await self._round_trip(conn, "fetch", sql)
            return [(row_from(r), str(r["set_aside"])) for r in records]

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
        return await self._adoption.join(adopt)

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
        check_id(f"{self._where}.claim()", job_id)
        check_due(f"{self._where}.claim()", job_id, due)
        self._check_running("claim")
        self._check_writable("claim")
        return await self._claims.claim(job_id, due)

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
        new = checked_advance(f"{self._where}.advance()", row, claimed)
        self._check_running("advance")
        result: Claim = await self._write("advance", (new, claimed))
        return result

    async def release(self, held: Mapping[str, datetime]) -> set[str]:
        """Delete the rows of the runs this node claimed (``held``: id -> run) that it holds.

        Fenced as :meth:`advance`: one conditional ``DELETE`` (shared by the
        calls of one loop turn). Returns the ids whose rows were deleted.
        """
        items = checked_release(f"{self._where}.release()", held)
        self._check_running("release")
        if not items:
            return set()
        result: set[str] = await self._write("release", items)
        return result

    async def add_schedule_if_absent(self, scheduled: ScheduledJob) -> ScheduledJob:
        """Insert ``scheduled`` (owned here) unless its ``job_id`` exists; return the stored row."""
        row = checked(scheduled, f"{self._where}.add_schedule_if_absent()")
        self._check_running("add_schedule_if_absent")
        stored: ScheduledJob = await self._write("if_absent", row)
        return stored
