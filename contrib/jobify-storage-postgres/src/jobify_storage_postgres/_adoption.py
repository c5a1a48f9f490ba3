"""Joining the cluster, and adopting the rows of nodes that died or left: :class:`Adoption`.

A node that joins gets its own rows plus the orphans (no owner, or an owner
without a live lease), and from then on a task of its own adopts the rows of
nodes whose lease expired, every third of ``lease_seconds`` or at once when
a node says it left (``_listener``). Adoption takes the dead leases over
first (a new epoch each, so their late writes are fenced out), then their
rows in batches that concurrent adopters split (``SKIP LOCKED``); RUNNING
rows become SCHEDULED again (at-least-once), and each batch goes to the
kernel's ``adopt`` callback as soon as it is taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Final

from jobify import JobStatus
from jobify.storage import ScheduledJob
from jobify_storage_postgres._base import quote, row_from
from jobify_storage_postgres._connection import CONNECTION_ERRORS, TRANSIENT_ERRORS, Connection
from jobify_storage_postgres._leases import Leases
from jobify_storage_postgres._listener import Listener
from jobify_storage_postgres._node import Adopt, Node, Options, cancelled, where

__all__ = ("Adoption",)

log = logging.getLogger("jobify.storage.postgres")

_ADOPT_BATCH: Final = 500
_SCHEDULED: Final = JobStatus.SCHEDULED.value
_RUNNING: Final = JobStatus.RUNNING.value


class Adoption:
    """``join`` and the adoption beat of one storage.

    ``resync`` is told of the rows taken (the change feed reports their flags).
    """

    __slots__ = (
        "_adopt_task", "_connection", "_counts", "_leases", "_listener", "_node", "_options",
        "_resync", "_wake",
    )  # fmt: skip

    def __init__(
        self,
        node: Node,
        options: Options,
        counts: dict[str, int],
        connection: Connection,
        leases: Leases,
        listener: Listener,
        *,
        resync: Callable[[list[Any]], None],
    ) -> None:
        self._node = node
        self._options = options
        self._counts = counts
        self._connection = connection
        self._leases = leases
        self._listener = listener
        self._resync = resync
        self._wake: asyncio.Event | None = None
        self._adopt_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """A new wake-up event (at each startup)."""
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Run an adoption beat now (a node left, or the listener is back)."""
        if self._wake is not None:
            self._wake.set()

    def start_beat(self) -> None:
        """Start the adoption beat (:meth:`_adoption_loop`)."""
        self._adopt_task = self._node.task(self._adoption_loop(), "adopt")

    def stop_beat(self) -> list[asyncio.Task[None]]:
        """Cancel the adoption beat; return it (to be waited for) if it ran."""
        task, self._adopt_task = self._adopt_task, None
        return cancelled(task)

    def tasks(self) -> list[asyncio.Task[None]]:
        """The adoption beat, if it runs."""
        return [] if self._adopt_task is None else [self._adopt_task]

    def forget_tasks(self) -> None:
        """Drop the beat (after the storage stopped it)."""
        self._adopt_task = None

    async def join(self, adopt: Adopt) -> list[ScheduledJob]:
        """This node's rows plus the orphans it adopts now; then adopt with ``adopt``."""
        s = quote(self._options.schema)
        owned_sql = (
            "SELECT job_id, name, message, status, next_run_at, paused, run_requested "  # noqa: S608
            f"FROM {s}.jobs WHERE owner = $1 AND set_aside IS NULL"
        )
        node = self._node.node_id

        async def owned(conn: Any) -> list[ScheduledJob]:
            records = await self._connection.round_trip(conn, "fetch", owned_sql, node)
            self._resync(records)
            return [row_from(r) for r in records]

        retry = self._connection.retry
        rows = await retry("join", owned)
        await retry("join", self._leases.mark_joined)
        await retry("join", self._take_over_dead)
        orphan = (
            f"(j.owner IS NULL OR NOT EXISTS (SELECT 1 FROM {s}.nodes n "  # noqa: S608
            "WHERE n.node_id = j.owner AND n.lease_until >= now())) "
            "AND j.owner IS DISTINCT FROM $1"
        )
        rows += await self._adopt_rows("join", orphan, ())
        self._node.adopt = adopt
        await retry("join", self._listener.listen)
        self.wake()  # tidy up dead nodes' rows in the next beat
        rows.sort(key=lambda r: (r.next_run_at, r.job_id))
        return rows

    async def _adoption_loop(self) -> None:
        """Once joined, adopt dead nodes' rows every third of ``lease_seconds`` or when woken.

        A notice that a node left, or the listener coming back, wakes it at once.
        """
        assert self._wake is not None  # noqa: S101
        interval = self._options.lease_seconds / 3
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._wake.wait()
            self._wake.clear()
            if self._node.adopt is None or self._leases.rejoining:
                continue
            try:
                # no time limit: a batch taken is handed over whole, and the retries ride
                # out connection loss; shutdown cancels this task
                await self._adopt_dead_nodes()
            except (*CONNECTION_ERRORS, *TRANSIENT_ERRORS) as exc:
                log.debug("%s: adoption beat failed (%s); next beat", where(self._options), exc)
            except Exception:
                log.exception("%s: adoption beat failed", where(self._options))

    async def _take_over_dead(self, conn: Any) -> list[str]:
        """Take over the leases that expired: each gets a new epoch; return their node ids.

        SKIP LOCKED: a locked lease is being renewed or re-acquired (its node
        is alive after all); waiting for it would hold this beat up.
        """
        s = quote(self._options.schema)
        taken: list[str] = [
            r["node_id"]
            for r in await conn.fetch(
                f"UPDATE {s}.nodes n SET epoch = nextval('{s}.epochs') "  # noqa: S608
                f"FROM (SELECT node_id FROM {s}.nodes WHERE lease_until < now() "
                "AND node_id <> $1 ORDER BY node_id FOR UPDATE SKIP LOCKED) d "
                "WHERE n.node_id = d.node_id RETURNING n.node_id",
                self._node.node_id,
            )
        ]
        return taken

    async def _adopt_dead_nodes(self) -> None:
        s = quote(self._options.schema)
        await self._listener.ensure_listener()  # first: a leave after the query below is heard
        if not await self._leases.own_lease_live():
            return  # this node joins again first; it adopts at a later beat
        dead = await self._connection.retry("adopt", self._take_over_dead)
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
            hand_over=self._node.adopt,
        )
        if rows:
            log.info(
                "%s: adopted %d job(s) from %d dead node(s)",
                where(self._options),
                len(rows),
                len(dead),
            )
        async with self._connection.pool.acquire() as conn:
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
        hand_over: Adopt | None = None,
    ) -> list[ScheduledJob]:
        """Take the rows matching ``condition`` in batches that concurrent adopters split.

        ``$1`` is this node's id and ``$2`` its epoch; ``args`` follow. Rows are
        taken only while this node's own lease is live under that epoch, and
        carry the epoch from then on. ``hand_over`` gets each batch as soon as
        it is taken (the kernel's adopt callback); the rows taken are returned too.
        """
        s = quote(self._options.schema)
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
                records: list[Any] = await conn.fetch(
                    sql, self._node.node_id, self._node.epoch, *args
                )
                return records

            records = await self._connection.retry(what, take)
            self._counts["rows_adopted"] += len(records)
            batch = [row_from(r) for r in records if r["set_aside"] is None]
            self._resync([r for r in records if r["set_aside"] is None])
            adopted += batch
            if batch and hand_over is not None:
                await hand_over(batch)
            if len(records) < _ADOPT_BATCH:
                return adopted
