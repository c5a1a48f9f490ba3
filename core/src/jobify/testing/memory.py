"""In-memory storages for tests of apps: durable jobs without a file or a server.

Two apps given storages that share one ``rows`` dict see the same jobs, which
is how a test restarts an app (with :class:`~jobify.testing.clock.FakeClock`,
misfire policies included) without SQLite::

    rows: dict[str, ScheduledJob] = {}
    first = Jobify(storage=MemoryStorage(rows), serializer=...)
    ...
    second = Jobify(storage=MemoryStorage(rows), serializer=...)  # sees first's jobs

:class:`MemoryCluster` is a :class:`~jobify.storage.ClusterStorage` shared by
several apps (nodes) of one event loop: each claim is atomic because nothing
inside awaits, so tests of the kernel's cluster behaviour are deterministic::

    cluster = MemoryCluster()
    a = Jobify(storage=cluster.node("a"), serializer=...)
    b = Jobify(storage=cluster.node("b"), serializer=...)
    async with a, b:
        ...
        await cluster.kill(a.configs.storage)  # b adopts a's rows before this returns
        assert {cluster.owner_of(job_id) for job_id in cluster.rows} == {"b"}
        assert [won for _node, _job_id, won in cluster.claims] == [...]

Nodes fence their writes as :class:`~jobify.storage.ClusterStorage` says: each
node has an epoch, each row the owner and epoch that took it.
:meth:`MemoryCluster.expire` takes a live node's lease over, as after a long
pause, so a test can watch that node come back with stale state.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from jobify._kernel.values import JobStatus
from jobify.storage import (
    Claim,
    ClusterStorage,
    ClusterView,
    JobOutcome,
    NodeInfo,
    RowChanges,
    RunRecord,
    ScheduledJob,
    Storage,
    StoredJob,
    checked_outcome,
    checked_run,
)

__all__ = ("ClaimRecord", "MemoryCluster", "MemoryDatabase", "MemoryNodeStorage", "MemoryStorage")


class MemoryDatabase:
    """What several :class:`MemoryStorage` objects share, as processes share a database.

    ``rows`` may be read and edited by tests directly; the rest is the
    storages' bookkeeping: control flags, set-aside rows, change versions,
    kept outcomes and run history.
    """

    def __init__(self, rows: dict[str, ScheduledJob] | None = None) -> None:
        """Share ``rows`` (a new dict when None)."""
        self.rows: dict[str, ScheduledJob] = {} if rows is None else rows
        self.paused: set[str] = set()
        self.run_requested: set[str] = set()
        self.aside: dict[str, tuple[ScheduledJob, str]] = {}
        self.outcomes: dict[str, JobOutcome] = {}
        self.runs: list[tuple[int, RunRecord]] = []
        self.run_ids = itertools.count(1)  # never reused, trims or not
        self.version = 0
        self.changes: list[tuple[int, str, str, bool]] = []  # version, writer, job id, deleted
        self.last_delete: dict[str, tuple[int, str]] = {}  # job id -> version, writer
        self.watchers: list[tuple[str, Callable[[], None], asyncio.AbstractEventLoop]] = []

    def changed(self, writer: str, job_id: str, *, deleted: bool = False) -> None:
        """Note one write and tell the other storages' watchers."""
        self.version += 1
        self.changes.append((self.version, writer, job_id, deleted))
        if deleted:
            self.last_delete[job_id] = (self.version, writer)
        self.wrote(writer)

    def wrote(self, writer: str) -> None:
        """Tell the other storages' watchers that ``writer`` wrote (as a commit does in SQLite).

        Also for writes that change no job row (run history): a watcher such as
        the dashboard re-reads what it shows.
        """
        for token, on_change, loop in self.watchers:
            if token != writer:
                loop.call_soon(on_change)


_tokens = itertools.count(1)
log = logging.getLogger("jobify.testing.memory")


class MemoryStorage(Storage):
    """Stored rows in a dict; pass the same dict (or :class:`MemoryDatabase`) to share them.

    It has every optional ability of a storage that operates a scheduler
    (change feed, control, run history, kept outcomes, set aside), shared
    between the storages of one :class:`MemoryDatabase`: a test can run a
    producer app and a scheduler app on one database in one event loop.
    """

    def __init__(
        self,
        rows: dict[str, ScheduledJob] | None = None,
        *,
        database: MemoryDatabase | None = None,
    ) -> None:
        """Keep rows in ``rows`` (a new dict when None), or share ``database``'s."""
        self.database = MemoryDatabase(rows) if database is None else database
        self.rows: dict[str, ScheduledJob] = self.database.rows
        self.token = f"memory-{next(_tokens)}"
        self.seen: int | None = None  # the last cursor read (cursor() or changes())

    async def startup(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Stop telling this storage about changes."""
        db = self.database
        db.watchers = [w for w in db.watchers if w[0] != self.token]

    async def get_schedules(self) -> Sequence[ScheduledJob]:
        """Every stored row (not set aside)."""
        return list(self.rows.values())

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        """Insert or replace rows; a feed reader does not store again a row deleted unheard."""
        for row in scheduled:
            if row.job_id not in self.rows and self._deleted_unheard(row.job_id):
                continue
            self.rows[row.job_id] = row
            self.database.aside.pop(row.job_id, None)
            self.database.changed(self.token, row.job_id)

    async def delete_schedule(self, job_id: str) -> None:
        """Remove one row; a missing one is fine."""
        await self.delete_schedule_many([job_id])

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        """Remove rows; missing ones are fine."""
        db = self.database
        for job_id in job_ids:
            had_row = self.rows.pop(job_id, None) is not None
            was_aside = db.aside.pop(job_id, None) is not None
            if had_row or was_aside:
                db.paused.discard(job_id)
                db.run_requested.discard(job_id)
                db.changed(self.token, job_id, deleted=True)

    async def set_aside(self, job_id: str, reason: str) -> None:
        """Move a row the kernel cannot restore to ``database.aside``."""
        row = self.rows.pop(job_id, None)
        if row is not None:
            self.database.aside[job_id] = (row, reason)

    # --- change feed ---------------------------------------------------------------

    def _deleted_unheard(self, job_id: str) -> bool:
        """Another storage deleted ``job_id`` after the last cursor this one read."""
        seen = self.seen
        last = self.database.last_delete.get(job_id)
        return seen is not None and last is not None and last[0] > seen and last[1] != self.token

    async def cursor(self) -> int:
        """The version of the last write; from now on this storage reads the feed."""
        self.seen = max(self.seen or 0, self.database.version)
        return self.database.version

    def watch(self, on_change: Callable[[], None]) -> None:
        """Call ``on_change`` after other storages of the database write."""
        db = self.database
        db.watchers.append((self.token, on_change, asyncio.get_running_loop()))

    async def changes(self, cursor: int) -> RowChanges:
        """Rows others wrote and ids they deleted after ``cursor``."""
        db = self.database
        by_id: dict[str, list[tuple[str, bool]]] = {}  # job id -> (writer, deleted), in order
        for version, writer, job_id, was_deleted in db.changes:
            if version > cursor:
                by_id.setdefault(job_id, []).append((writer, was_deleted))
        changed: list[StoredJob] = []
        deleted: list[str] = []
        for job_id, writes in by_id.items():
            others = [w for w in writes if w[0] != self.token]
            if not others:
                continue  # only this storage's own writes
            stored = self._stored(job_id)
            if stored is None:
                if any(was_deleted for _, was_deleted in others):
                    deleted.append(job_id)
            elif others[-1][1] and writes[-1][0] == self.token:
                deleted.append(job_id)  # stored again here after their delete: the delete wins
            else:
                changed.append(stored)
        self.seen = max(self.seen or 0, db.version)
        return RowChanges(db.version, changed, deleted)

    # --- control -------------------------------------------------------------------

    def _stored(self, job_id: str) -> StoredJob | None:
        db = self.database
        row = self.rows.get(job_id)
        if row is not None:
            return StoredJob(row, job_id in db.paused, job_id in db.run_requested)
        aside = db.aside.get(job_id)
        return None if aside is None else StoredJob(aside[0], set_aside=aside[1])

    async def set_paused(self, job_id: str, *, paused: bool) -> bool:
        """Pause or resume ``job_id``'s row."""
        db = self.database
        if job_id not in self.rows:
            return False
        (db.paused.add if paused else db.paused.discard)(job_id)
        db.changed(self.token, job_id)
        return True

    async def request_run(self, job_id: str, *, requested: bool = True) -> bool:
        """Ask for (or clear) an extra run of ``job_id``."""
        db = self.database
        if job_id not in self.rows:
            return False
        (db.run_requested.add if requested else db.run_requested.discard)(job_id)
        if requested:
            db.changed(self.token, job_id)
        return True

    async def get_stored_jobs(self) -> Sequence[StoredJob]:
        """Every row that can run, with its flags."""
        return [s for s in map(self._stored, list(self.rows)) if s is not None]

    async def get_stored_job(self, job_id: str) -> StoredJob | None:
        """One row with its flags, set aside or not."""
        return self._stored(job_id)

    async def list_jobs(
        self,
        *,
        after: str | None = None,
        limit: int = 100,
        task: str | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> Sequence[StoredJob]:
        """A page of rows (set aside included) ordered by id."""
        ids = sorted({*self.rows, *self.database.aside})
        page: list[StoredJob] = []
        for job_id in ids:
            if after is not None and job_id <= after:
                continue
            stored = self._stored(job_id)
            if stored is None or (task is not None and stored.row.name != task):
                continue
            if status is not None and _status_of(stored) != status:
                continue
            if search is not None and search not in job_id and search not in stored.row.name:
                continue
            page.append(stored)
            if len(page) >= limit:
                break
        return page

    # --- history and outcomes ------------------------------------------------------

    async def record_runs(self, *runs: RunRecord) -> None:
        """Keep ``runs``."""
        db = self.database
        kept = [checked_run(run, "MemoryStorage.record_runs()") for run in runs]
        db.runs.extend((next(db.run_ids), run) for run in kept)
        if kept:
            db.wrote(self.token)

    async def get_runs(
        self,
        *,
        job_id: str | None = None,
        before: int | None = None,
        limit: int = 50,
        failed_only: bool = False,
    ) -> Sequence[tuple[int, RunRecord]]:
        """Runs newest first."""
        out = []
        for run_id, run in reversed(self.database.runs):
            if before is not None and run_id >= before:
                continue
            if job_id is not None and run.job_id != job_id:
                continue
            if failed_only and run.status is JobStatus.SUCCESS:
                continue
            out.append((run_id, run))
            if len(out) >= limit:
                break
        return out

    async def trim_runs(
        self, *, older_than: datetime | None = None, keep_per_job: int | None = None
    ) -> int:
        """Drop old runs and all but each job's newest ``keep_per_job``."""
        db = self.database
        kept: list[tuple[int, RunRecord]] = []
        per_job: dict[str, int] = {}
        for run_id, run in reversed(db.runs):
            seen = per_job.get(run.job_id, 0)
            if (older_than is not None and run.finished_at < older_than) or (
                keep_per_job is not None and seen >= keep_per_job
            ):
                continue
            per_job[run.job_id] = seen + 1
            kept.append((run_id, run))
        dropped = len(db.runs) - len(kept)
        db.runs = kept[::-1]
        return dropped

    async def finish_jobs(self, *outcomes: JobOutcome) -> None:
        """Replace the jobs' rows by their outcomes (all checked first: all or nothing)."""
        db = self.database
        for outcome in [checked_outcome(o, "MemoryStorage.finish_jobs()") for o in outcomes]:
            db.outcomes[outcome.job_id] = outcome
        await self.delete_schedule_many([o.job_id for o in outcomes])

    async def get_outcome(self, job_id: str) -> JobOutcome | None:
        """The kept outcome of ``job_id``."""
        return self.database.outcomes.get(job_id)

    async def purge_outcomes(self, finished_before: datetime) -> int:
        """Drop outcomes of jobs finished before ``finished_before``."""
        db = self.database
        old = [k for k, o in db.outcomes.items() if o.finished_at < finished_before]
        for job_id in old:
            del db.outcomes[job_id]
        return len(old)


def _status_of(stored: StoredJob) -> str:
    if stored.set_aside is not None:
        return "set aside"
    if stored.paused:
        return "paused"
    return stored.row.status.value


# --- a cluster of nodes in one event loop ------------------------------------------

Adopt = Callable[[Sequence[ScheduledJob]], Awaitable[None]]


class ClaimRecord(NamedTuple):
    """One call of :meth:`MemoryNodeStorage.claim`, as logged in :attr:`MemoryCluster.claims`."""

    node: str
    job_id: str
    won: bool


class MemoryCluster:
    """The shared rows of in-memory cluster nodes, and the switches tests pull.

    ``rows`` (job id -> row) and ``aside`` (job id -> (row, reason), the rows
    set aside by the kernel) may be read and edited by tests directly; a row
    put in ``rows`` by hand has no owner and goes to the next node that joins.
    ``claims`` logs every claim in call order.

    Below :meth:`kill` are the methods its nodes call (a node keeps its own
    state, the cluster who owns which row under which epoch): tests call the
    nodes, or subclass the cluster to break one step on purpose.
    """

    def __init__(self) -> None:
        """Start with no rows and no nodes."""
        self.rows: dict[str, ScheduledJob] = {}
        self.aside: dict[str, tuple[ScheduledJob, str]] = {}
        self.claims: list[ClaimRecord] = []
        self._owners: dict[str, MemoryNodeStorage] = {}
        self._epochs: dict[str, int] = {}  # job id -> the epoch its owner took it under
        self._epoch_numbers = itertools.count(1)
        self._nodes: list[MemoryNodeStorage] = []
        self._joined: list[MemoryNodeStorage] = []  # live joined nodes, in join order
        self._turn = 0  # round-robin over _joined for the next adoption
        self._numbers = itertools.count(1)

    def node(self, name: str | None = None) -> MemoryNodeStorage:
        """Return a new node storage on this cluster's rows, named ``name`` or ``node-N``."""
        return MemoryNodeStorage(self, name)

    def owner_of(self, job_id: str) -> str | None:
        """The name of the node that owns ``job_id``'s row; None for no row or no owner."""
        owner = self._owners.get(job_id)
        return owner.name if owner is not None and job_id in self.rows else None

    def epoch_of(self, job_id: str) -> int | None:
        """The epoch under which ``job_id``'s row was taken; None for no row."""
        return self._epochs.get(job_id) if job_id in self.rows else None

    async def expire(self, storage: MemoryNodeStorage) -> None:
        """Take ``storage``'s lease over while the node lives, as after a long pause.

        One joined survivor adopts the node's rows (RUNNING ones as
        SCHEDULED), as :meth:`kill` does; with no survivor they stay the
        node's, untouched. The node itself keeps running with what it had:
        its writes to rows taken over lose, and at its next claim it finds
        its lease expired, joins again with a new epoch and hands the rows
        it still owns to its ``adopt`` callback before it answers.
        """
        if storage.cluster is not self:
            msg = f"node {storage.name!r} belongs to another MemoryCluster; expire it with that one"
            raise ValueError(msg)
        storage.lose_lease()
        if storage in self._joined:
            self._joined.remove(storage)
        if self._joined:
            await self._hand_over(storage)

    async def kill(self, storage: MemoryNodeStorage) -> None:
        """Make ``storage``'s node die abruptly; one joined survivor adopts its rows.

        The dead node does not leave: its later calls raise RuntimeError. A
        survivor is picked round-robin among the live joined nodes, and its
        ``adopt`` callback has been awaited when this returns; with no
        survivor the rows wait, orphaned, for the next node that joins.
        """
        if storage.cluster is not self:
            msg = f"node {storage.name!r} belongs to another MemoryCluster; kill it with that one"
            raise ValueError(msg)
        storage.die()
        await self._hand_over(storage)

    # -- called by the nodes; all synchronous except leave (the adopter's callback) --

    def register(self, node: MemoryNodeStorage, name: str | None) -> str:
        """Count ``node`` in; return its name, ``name`` or a free ``node-N`` when None."""
        if name is None:
            taken = {n.name for n in self._nodes}
            name = next(f"node-{i}" for i in self._numbers if f"node-{i}" not in taken)
        elif any(n.name == name and n.live for n in self._nodes):
            msg = (
                f"a live node is already named {name!r} in this cluster; pass another "
                "name, or none for a generated one"
            )
            raise ValueError(msg)
        self._nodes.append(node)
        return name

    def new_epoch(self) -> int:
        """A lease epoch no node of this cluster had."""
        return next(self._epoch_numbers)

    def take(self, node: MemoryNodeStorage, job_ids: Sequence[str]) -> list[ScheduledJob]:
        """Give ``job_ids`` to ``node`` under its epoch; RUNNING rows become SCHEDULED."""
        taken = []
        for job_id in job_ids:
            row = self.rows[job_id]
            if row.status == JobStatus.RUNNING:  # it ran on a node that is gone: at-least-once
                row = self.rows[job_id] = row._replace(status=JobStatus.SCHEDULED)
            self._hold(node, job_id)
            taken.append(row)
        return taken

    def join(self, node: MemoryNodeStorage) -> list[ScheduledJob]:
        """``node`` takes the orphaned rows and adopts from now on; every row it owns."""
        self.take(node, self._orphaned())
        self._joined.append(node)
        return [r for j, r in self.rows.items() if self._owners.get(j) is node]

    def rejoin(self, node: MemoryNodeStorage, *, adopting: bool) -> list[ScheduledJob]:
        """After an expired lease: the rows ``node`` still owns, now under its new epoch.

        An ``adopting`` node (one that had joined) adopts again from now on.
        """
        owned = [j for j in self.rows if self._owners.get(j) is node]
        for job_id in owned:
            self._epochs[job_id] = node.epoch
        if adopting and node not in self._joined:
            self._joined.append(node)
        return [self.rows[j] for j in owned]

    async def leave(self, node: MemoryNodeStorage) -> None:
        """``node`` shut down: it adopts no more, and its rows go to a survivor now."""
        await self._hand_over(node)

    def claim(self, node: MemoryNodeStorage, job_id: str, due: datetime) -> Claim:
        """Win when the row is SCHEDULED and due, or RUNNING under ``node``'s epoch and due."""
        row = self.rows.get(job_id)
        won = (
            row is not None
            and row.next_run_at <= due
            and (
                row.status == JobStatus.SCHEDULED
                or (row.status == JobStatus.RUNNING and self._held_by(node, job_id))
            )
        )
        if won:
            assert row is not None  # noqa: S101 - for the type checker
            row = self.rows[job_id] = row._replace(status=JobStatus.RUNNING)
            self._hold(node, job_id)
        self.claims.append(ClaimRecord(node.name, job_id, won))
        return Claim(won, row)

    def advance(self, node: MemoryNodeStorage, row: ScheduledJob, claimed: datetime) -> Claim:
        """Replace the row of the run ``node`` claimed at ``claimed``, if it still holds it."""
        if not self._holds(node, row.job_id, claimed):
            return Claim(won=False, row=self.rows.get(row.job_id))
        self.rows[row.job_id] = row
        return Claim(won=True, row=row)

    def release(self, node: MemoryNodeStorage, held: Mapping[str, datetime]) -> set[str]:
        """Delete the rows of the runs ``node`` claimed (``held``) that it still holds."""
        gone = {job_id for job_id, at in held.items() if self._holds(node, job_id, at)}
        for job_id in gone:
            self.drop(job_id)
        return gone

    def store(self, node: MemoryNodeStorage, row: ScheduledJob) -> None:
        """Insert or replace ``row``, owned by ``node`` (under its epoch) from now on."""
        self.rows[row.job_id] = row
        self._hold(node, row.job_id)

    def drop(self, job_id: str) -> ScheduledJob | None:
        """Remove ``job_id``'s row, whoever owns it; the row, or None when missing."""
        self._owners.pop(job_id, None)
        self._epochs.pop(job_id, None)
        return self.rows.pop(job_id, None)

    def set_aside(self, node: MemoryNodeStorage, job_id: str, reason: str) -> None:
        """Move ``job_id``'s row to ``aside`` if ``node`` holds it under its epoch."""
        if not self._held_by(node, job_id):
            return
        row = self.drop(job_id)
        if row is not None:
            self.aside[job_id] = (row, reason)

    def node_infos(self, asking: MemoryNodeStorage) -> list[NodeInfo]:
        """The live nodes and the dead or stopped ones that still own rows, by name."""
        owned: dict[int, int] = {}  # id(node) -> rows it owns
        for job_id in self.rows:
            owner = self._owners.get(job_id)
            if owner is not None:
                owned[id(owner)] = owned.get(id(owner), 0) + 1
        infos = [
            NodeInfo(
                name=node.name,
                alive=node.live,
                lease_expires_at=None,
                jobs_owned=owned.get(id(node), 0),
                this_node=node is asking,
            )
            for node in self._nodes
            if node.live or owned.get(id(node))
        ]
        return sorted(infos, key=lambda info: info.name)

    # -- the cluster's own bookkeeping -------------------------------------------------

    def _orphaned(self) -> list[str]:
        """Job ids whose owner is unknown, dead or gone."""
        return [
            job_id
            for job_id in self.rows
            if (owner := self._owners.get(job_id)) is None or not owner.live
        ]

    def _hold(self, node: MemoryNodeStorage, job_id: str) -> None:
        self._owners[job_id] = node
        self._epochs[job_id] = node.epoch

    def _held_by(self, node: MemoryNodeStorage, job_id: str) -> bool:
        """Whether ``node`` owns ``job_id``'s row under its current epoch."""
        return self._owners.get(job_id) is node and self._epochs.get(job_id) == node.epoch

    def _holds(self, node: MemoryNodeStorage, job_id: str, claimed: datetime) -> bool:
        """Whether ``node`` still holds the run of ``job_id`` it claimed at ``claimed``."""
        row = self.rows.get(job_id)
        return row is not None and self._held_by(node, job_id) and row.next_run_at == claimed

    async def _hand_over(self, gone: MemoryNodeStorage) -> None:
        """Move the rows of a node that died or left to one live joined node."""
        if gone in self._joined:
            self._joined.remove(gone)
        job_ids = [j for j in self.rows if self._owners.get(j) is gone]
        if not self._joined:
            self.take(gone, job_ids)  # orphaned, SCHEDULED, until the next join
            return
        adopter = self._joined[self._turn % len(self._joined)]
        self._turn += 1
        rows = self.take(adopter, job_ids)
        if rows:
            await adopter.adopt_rows(rows)


class MemoryNodeStorage(ClusterStorage, ClusterView):
    """One node of a :class:`MemoryCluster`: a :class:`~jobify.storage.ClusterStorage`.

    Build it with :meth:`MemoryCluster.node`. Calls other than ``startup``
    need a started node; a killed node raises RuntimeError on every call.
    ``shutdown`` leaves the cluster; a left node may ``startup`` again, as a
    restarted app does, and then joins anew.
    """

    def __init__(self, cluster: MemoryCluster, name: str | None = None) -> None:
        """Add a node named ``name`` (``node-N`` when None) to ``cluster``."""
        self.cluster = cluster
        self.epoch = 0  # this node's lease epoch, new at each startup and re-join
        self._started = False
        self._dead = False
        self._adopt: Adopt | None = None
        self._lease_lost_at: float | None = None  # monotonic time of MemoryCluster.expire
        self.name = cluster.register(self, name)

    def __repr__(self) -> str:
        state = (
            "dead"
            if self._dead
            else "joined"
            if self._adopt
            else "live"
            if self.live
            else "stopped"
        )
        return f"<MemoryNodeStorage {self.name!r} {state}>"

    @property
    def live(self) -> bool:
        """Started and not killed."""
        return self._started and not self._dead

    # -- called by the cluster (tests call MemoryCluster.kill and expire) -----------------

    def die(self) -> None:
        """Be dead from now on (:meth:`MemoryCluster.kill`); RuntimeError if dead already."""
        self._check_alive()
        self._dead = True

    def lose_lease(self) -> None:
        """Find the lease expired at the next claim (:meth:`MemoryCluster.expire`)."""
        self._check_started()
        if self._lease_lost_at is None:
            self._lease_lost_at = time.monotonic()

    async def adopt_rows(self, rows: Sequence[ScheduledJob]) -> None:
        """Hand ``rows``, taken over from another node, to the ``adopt`` callback of ``join``."""
        if self._adopt is not None:
            await self._adopt(rows)

    # -- the node's own state ----------------------------------------------------------

    def _check_alive(self) -> None:
        if self._dead:
            msg = (
                f"node {self.name!r} is dead (MemoryCluster.kill was called on it); "
                "build a new node with cluster.node() to rejoin"
            )
            raise RuntimeError(msg)

    def _check_started(self) -> None:
        self._check_alive()
        if not self._started:
            msg = (
                f"node {self.name!r} is not started: call startup() first "
                "(or again, after its shutdown)"
            )
            raise RuntimeError(msg)

    async def startup(self) -> None:
        """Become a live node, with a new epoch; its rows are not adopted by joining nodes."""
        self._check_alive()
        self._started = True
        self._lease_lost_at = None
        self.epoch = self.cluster.new_epoch()

    async def shutdown(self) -> None:
        """Leave: this node's rows, RUNNING ones as SCHEDULED, go to a survivor now."""
        self._check_started()
        self._started = False
        self._adopt = None
        await self.cluster.leave(self)

    async def _rejoin(self) -> None:
        """Join again after an expired lease: a new epoch, and the rows still owned re-read."""
        lost_at = self._lease_lost_at
        if lost_at is None:
            return
        self._lease_lost_at = None
        self.epoch = self.cluster.new_epoch()
        owned = self.cluster.rejoin(self, adopting=self._adopt is not None)
        log.warning(
            "node %r found its lease expired %.1f s ago; it stopped claiming, joined again "
            "with epoch %d and re-read the %d job(s) it still owns",
            self.name, time.monotonic() - lost_at, self.epoch, len(owned),
        )  # fmt: skip
        if owned and self._adopt is not None:
            await self._adopt(owned)

    async def join(self, adopt: Adopt) -> Sequence[ScheduledJob]:
        """Adopt the orphaned rows, register ``adopt`` and return every row this node owns."""
        self._check_started()
        if self._adopt is not None:
            msg = f"node {self.name!r} joined already; join is called once per startup"
            raise RuntimeError(msg)
        owned = self.cluster.join(self)
        self._adopt = adopt
        return owned

    async def claim(self, job_id: str, due: datetime) -> Claim:
        """Win when the row is SCHEDULED and due, or RUNNING here and due (a retry).

        A node whose lease was taken over (:meth:`MemoryCluster.expire`) first
        joins again with a new epoch and hands the rows it still owns to its
        ``adopt`` callback.
        """
        self._check_started()
        if self._lease_lost_at is not None:
            await self._rejoin()
        return self.cluster.claim(self, job_id, due)

    async def advance(self, row: ScheduledJob, claimed: datetime) -> Claim:
        """Replace the row of the run this node claimed at ``claimed``, if it still holds it."""
        self._check_started()
        if row.next_run_at < claimed:
            msg = (
                f"node {self.name!r}: advance({row.job_id!r}) would move the row back from "
                f"{claimed.isoformat()} to {row.next_run_at.isoformat()}"
            )
            raise ValueError(msg)
        return self.cluster.advance(self, row, claimed)

    async def release(self, held: Mapping[str, datetime]) -> set[str]:
        """Delete the rows of the runs this node claimed (``held``) that it still holds."""
        self._check_started()
        return self.cluster.release(self, held)

    async def add_schedule_if_absent(self, scheduled: ScheduledJob) -> ScheduledJob:
        """Insert ``scheduled`` owned by this node unless its job id has a row; return the row."""
        self._check_started()
        stored = self.cluster.rows.get(scheduled.job_id)
        if stored is not None:
            return stored
        await self.add_schedule(scheduled)
        return scheduled

    async def get_schedules(self) -> Sequence[ScheduledJob]:
        """Every row of the cluster, whoever owns it (set-aside rows excluded)."""
        self._check_started()
        return list(self.cluster.rows.values())

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        """Insert or replace rows, owned by this node (under its epoch) from now on."""
        self._check_started()
        for row in scheduled:
            self.cluster.store(self, row)

    async def delete_schedule(self, job_id: str) -> None:
        """Remove one row, whoever owns it; a missing one is fine."""
        await self.delete_schedule_many([job_id])

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        """Remove rows, whoever owns them; missing ones are fine."""
        self._check_started()
        for job_id in job_ids:
            self.cluster.drop(job_id)

    async def set_aside(self, job_id: str, reason: str) -> None:
        """Move a row the kernel cannot restore to ``cluster.aside``, out of every node's view.

        Only a row this node holds (its owner, under its epoch); others stay.
        """
        self._check_started()
        self.cluster.set_aside(self, job_id, reason)

    # --- what an operator sees (ClusterView) -------------------------------------------

    async def nodes(self) -> Sequence[NodeInfo]:
        """The live nodes and the dead or stopped ones that still own rows (no lease expiry)."""
        return self.cluster.node_infos(self)
