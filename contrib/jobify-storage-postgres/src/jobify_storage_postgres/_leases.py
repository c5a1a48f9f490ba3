"""This node's lease, its epochs, and joining again after it was lost: :class:`Leases`.

Each node holds a lease in ``nodes``, measured on the database clock and
renewed every third of ``lease_seconds`` by a task of its own (the *lease
beat*, which also reads the change feed's counter and trims old ``changes``
entries now and then). A lease has an *epoch*, from the ``epochs`` sequence;
it changes when an adopter takes the lease over and when the node acquires
it again after it expired.

A node that finds its lease lost (a renewal that updates nothing, a claim
the lease check refused, or no renewal for a whole lease on its own clock)
*re-joins*: it holds its claim and write batches, takes a new epoch in one
transaction that stamps it on every row it still owns, and hands those rows
to the kernel before claims are answered again. Leaving the cluster
(:meth:`Leases.leave`) gives the node's rows back and ends its lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final

from jobify import JobStatus
from jobify.storage import ScheduledJob
from jobify_storage_postgres._base import quote, row_from
from jobify_storage_postgres._claims import Claims
from jobify_storage_postgres._connection import CONNECTION_ERRORS, TRANSIENT_ERRORS, Connection
from jobify_storage_postgres._errors import PostgresStorageError
from jobify_storage_postgres._feed import TRIM_SECONDS
from jobify_storage_postgres._node import Node, Options, State, cancelled, where
from jobify_storage_postgres._writes import Writes

__all__ = ("Leases",)

log = logging.getLogger("jobify.storage.postgres")

_SCHEDULED: Final = JobStatus.SCHEDULED.value
_RUNNING: Final = JobStatus.RUNNING.value


class Leases:
    """Acquire, renew and end this node's lease; join again under a new epoch when it is lost.

    ``feed_beat`` gets the feed's counter each renewal reads, ``trim`` drops
    old ``changes`` entries on the beat's connection, and ``resync`` is told
    of the rows a re-join hands over (the storage's change feed, ``_feed``).
    """

    __slots__ = (
        "_claims", "_connection", "_counts", "_feed_beat", "_lease_task", "_next_trim", "_node",
        "_options", "_rejoin_task", "_resync", "_trim", "_writes",
    )  # fmt: skip

    def __init__(
        self,
        node: Node,
        options: Options,
        counts: dict[str, int],
        connection: Connection,
        batches: tuple[Writes, Claims],
        *,
        feed_beat: Callable[[int | None], None],
        trim: Callable[[Any], Coroutine[Any, Any, None]],
        resync: Callable[[list[Any]], None],
    ) -> None:
        self._node = node
        self._options = options
        self._counts = counts
        self._connection = connection
        self._writes, self._claims = batches  # held while the node joins again
        self._feed_beat = feed_beat
        self._trim = trim
        self._resync = resync
        self._lease_task: asyncio.Task[None] | None = None
        self._rejoin_task: asyncio.Task[None] | None = None
        self._next_trim = 0.0  # loop time of the next trim

    @property
    def rejoining(self) -> bool:
        """Whether a re-join runs (adoption and renewals wait for it)."""
        return self._rejoin_task is not None

    @property
    def beating(self) -> bool:
        """Whether the lease beat runs."""
        return self._lease_task is not None

    def _sql(self) -> tuple[str, str]:
        """The statements that acquire a lease (a new epoch) and renew it (same epoch)."""
        s = quote(self._options.schema)
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

    async def acquire(self) -> None:
        """Start this node's lease under a new epoch (at startup), retrying until it is taken."""
        sent = self._node.time()
        self._node.epoch = await self._connection.retry("startup", self._acquire)
        self._node.renewed_at = sent

    async def _acquire(self, conn: Any) -> int:
        acquire, _ = self._sql()
        epoch: int = await conn.fetchval(
            acquire, self._node.node_id, float(self._options.lease_seconds)
        )
        return epoch

    async def _renew(self, conn: Any) -> bool:
        """Extend this node's lease on the database clock, if it is live under its epoch.

        False: the lease expired, or an adopter took it over (its epoch
        changed), or an adopter deleted it; the node must join again.
        """
        _, renew = self._sql()
        node = self._node
        epoch, sent = node.epoch, node.time()
        renewed = await conn.fetchrow(
            renew, node.node_id, epoch, float(self._options.lease_seconds)
        )
        if renewed is None:
            return False
        if node.epoch == epoch:
            node.renewed_at = sent
        self._feed_beat(renewed["feed"])  # a change notice lost with the listener shows here
        return True

    def start_beat(self) -> None:
        """Start the lease beat (:meth:`_lease_loop`)."""
        self._lease_task = self._node.task(self._lease_loop(), "lease")

    def start_trimming(self) -> None:
        """Trim the change feed's old entries at the next beat (at startup)."""
        self._next_trim = self._node.time()

    def stop_beat(self) -> list[asyncio.Task[None]]:
        """Cancel the lease beat; return it (to be waited for) if it ran."""
        task, self._lease_task = self._lease_task, None
        return cancelled(task)

    def tasks(self) -> list[asyncio.Task[None]]:
        """The tasks this lease runs now (the beat, a re-join)."""
        return [t for t in (self._lease_task, self._rejoin_task) if t is not None]

    def forget_tasks(self) -> None:
        """Drop the tasks (after the storage stopped them)."""
        self._lease_task = self._rejoin_task = None

    async def _lease_loop(self) -> None:
        """Renew the lease every third of ``lease_seconds``, and nothing else.

        Adoption runs in its own task (``_adoption``), so a long adoption
        never holds up this node's renewals. A renewal that finds the lease
        lost starts a re-join (:meth:`_rejoin`).
        """
        interval = self._options.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            if self._rejoin_task is not None:
                continue  # joining again acquires a fresh lease
            epoch = self._node.epoch
            try:
                async with asyncio.timeout(interval):
                    async with self._connection.pool.acquire() as conn:
                        renewed = await self._renew(conn)
                        if renewed and self._node.time() >= self._next_trim:
                            self._next_trim = self._node.time() + TRIM_SECONDS
                            await self._trim(conn)
            except (*CONNECTION_ERRORS, *TRANSIENT_ERRORS) as exc:
                log.debug("%s: lease renewal failed (%s); next beat", where(self._options), exc)
            except Exception:
                log.exception("%s: lease renewal failed", where(self._options))
            else:
                if not renewed:
                    self._start_rejoin(epoch)

    # --- joining again after the lease was lost --------------------------------------

    def _start_rejoin(self, lost: int) -> asyncio.Task[None] | None:
        """Start a re-join unless one runs, or this node joined again since epoch ``lost``."""
        node = self._node
        if self._rejoin_task is None and node.epoch == lost and node.state is State.RUNNING:
            self._rejoin_task = node.task(self._rejoin(), "rejoin")
        return self._rejoin_task

    async def rejoined(self, lost: int) -> None:
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
        node, claims, writes = self._node, self._claims.batch, self._writes.batch
        assert claims is not None  # noqa: S101 - started
        assert writes is not None  # noqa: S101
        claims.hold()
        writes.hold()
        try:
            if writes.flushing is not None:
                await asyncio.wait([writes.flushing])
            while True:
                sent = node.time()
                try:
                    outcome = await self._connection.retry("rejoin", self._rejoin_tx)
                    break
                except PostgresStorageError:
                    log.exception("%s: could not join again; retrying", where(self._options))
                    await asyncio.sleep(self._options.retry_max_delay)
            if outcome is None:  # live after all: a late renewal, not an expiry
                node.renewed_at = sent
                return
            epoch, rows = outcome
            away = sent - node.renewed_at
            node.epoch, node.renewed_at = epoch, sent
            self._counts["rejoins"] += 1
            writes.release()
            log.warning(
                "%s: node %s found its lease expired after %.1f s without a renewal (lease "
                "%ss): other nodes may have taken its jobs over. It stopped claiming, joined "
                "again with epoch %d and re-read the %d job(s) it still owns before claiming "
                "again; its writes to jobs taken over are lost, as they must be",
                where(self._options), node.node_id, away, self._options.lease_seconds, epoch,
                len(rows),
            )  # fmt: skip
            if rows and node.adopt is not None:
                await node.adopt(rows)
        finally:
            writes.release()
            claims.release()
            self._rejoin_task = None

    async def _rejoin_tx(self, conn: Any) -> tuple[int, list[ScheduledJob]] | None:
        acquire, renew = self._sql()
        s = quote(self._options.schema)
        lease = float(self._options.lease_seconds)
        node_id = self._node.node_id
        async with conn.transaction():
            if await conn.fetchval(renew, node_id, self._node.epoch, lease):
                return None
            epoch: int = await conn.fetchval(acquire, node_id, lease)
            await self.mark_joined(conn)  # an adopter may have deleted its row in nodes
            records = await conn.fetch(
                f"UPDATE {s}.jobs SET epoch = $2, updated_at = now() WHERE owner = $1 "  # noqa: S608
                "RETURNING job_id, name, message, status, next_run_at, set_aside, paused, "
                "run_requested",
                node_id,
                epoch,
            )
        kept = [r for r in records if r["set_aside"] is None]
        self._resync(kept)
        return epoch, [row_from(r) for r in kept]

    async def own_lease_live(self) -> bool:
        """Whether this node's lease is live under its epoch; starts a re-join if not."""
        s = quote(self._options.schema)
        epoch = self._node.epoch
        async with self._connection.pool.acquire() as conn:
            live = await conn.fetchval(
                f"SELECT true FROM {s}.nodes WHERE node_id = $1 AND epoch = $2 "  # noqa: S608
                "AND lease_until >= clock_timestamp()",
                self._node.node_id,
                epoch,
            )
        if not live:
            self._start_rejoin(epoch)
        return bool(live)

    async def mark_joined(self, conn: Any) -> None:
        """Say in ``nodes`` that this node is a scheduler: its new rows are not broadcast.

        The change feed reports the rows a producer or an operator stores to
        every node; a row a joined node stores is armed by that node, and
        the others meet it through claims and adoption (``_feed``).
        """
        await conn.execute(
            f"UPDATE {quote(self._options.schema)}.nodes SET joined = true WHERE node_id = $1",  # noqa: S608
            self._node.node_id,
        )

    async def leave(self, conn: Any) -> None:
        """Give this node's rows back (RUNNING ones become SCHEDULED) and end its lease.

        A node that owns rows keeps its ``nodes`` row with a lease that ended
        (``-infinity``) and says so on the cluster's channel, so the others
        adopt its rows at once; one that owns none is deleted.
        """
        s = quote(self._options.schema)
        await conn.execute(
            f"WITH back AS (UPDATE {s}.jobs SET status = '{_SCHEDULED}', updated_at = now() "  # noqa: S608
            f"WHERE owner = $1 AND status = '{_RUNNING}'), "
            f"owns AS (SELECT EXISTS (SELECT 1 FROM {s}.jobs WHERE owner = $1) AS owns_any), "
            f"gone AS (DELETE FROM {s}.nodes WHERE node_id = $1 "
            "AND NOT (SELECT owns_any FROM owns)), "
            f"expire AS (UPDATE {s}.nodes SET lease_until = '-infinity' WHERE node_id = $1 "
            "AND (SELECT owns_any FROM owns)) "
            "SELECT pg_notify($2, $1) WHERE (SELECT owns_any FROM owns)",
            self._node.node_id,
            self._options.channel,
        )
