"""Claiming runs, and the fenced writes that follow a run: :class:`Claims`.

Before each durable run the kernel claims it; the claims of one loop turn
share one data-modifying statement (a :class:`~._batching.Batcher` of their
own), which checks this node's lease under its epoch in the same statement,
so no claim is won under a lease another node took over. A claim that finds
the lease lost, or that waited longer than a lease on this node's clock,
joins again first (``_leases``) and is asked again.

What follows a run (:meth:`Claims.advance`, :meth:`Claims.release`) rides
the write batches (``_writes``), but is fenced the same way: it applies
only where the row is still this node's, under its epoch, at the run it
claimed. Both statements live here, beside the claim they answer to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

from jobify import JobStatus
from jobify.storage import Claim, ScheduledJob
from jobify_storage_postgres._base import quote, row_from
from jobify_storage_postgres._batching import Batcher, Op, settle
from jobify_storage_postgres._connection import Connection
from jobify_storage_postgres._errors import PostgresStorageError, PostgresStorageStateError
from jobify_storage_postgres._node import Node, Options

__all__ = ("Claims",)

_SCHEDULED: Final = JobStatus.SCHEDULED.value
_RUNNING: Final = JobStatus.RUNNING.value


class Claims:
    """The claim batches of one storage, and the fenced advance and release statements."""

    __slots__ = (
        "_batch",
        "_check_running",
        "_connection",
        "_counts",
        "_node",
        "_options",
        "_rejoined",
    )

    def __init__(
        self,
        node: Node,
        options: Options,
        counts: dict[str, int],
        connection: Connection,
        *,
        rejoined: Callable[[int], Awaitable[None]],
        check_running: Callable[[str], None],
    ) -> None:
        self._node = node
        self._options = options
        self._counts = counts
        self._connection = connection
        self._rejoined = rejoined  # wait until this node joined again after losing that epoch
        self._check_running = check_running
        self._batch: Batcher | None = None

    @property
    def batch(self) -> Batcher | None:
        """The batcher of the claims while started, else None."""
        return self._batch

    def start(self) -> None:
        """A new batcher, on the node's loop (at each startup)."""
        assert self._node.loop is not None  # noqa: S101 - starting
        self._batch = Batcher(self._node.loop, self._flush)

    async def claim(self, job_id: str, due: datetime) -> Claim:
        """Claim the run of ``job_id`` armed for ``due`` (checked by the caller); see ``claim``."""
        assert self._batch is not None  # noqa: S101 - set by startup
        node = self._node
        while True:
            result: Claim = await self._batch.put("claim", (job_id, due))
            if not result.won or node.time() - node.renewed_at <= self._options.lease_seconds:
                return result
            # Won, but the lease ran out here before the caller got the answer (the
            # process was paused meanwhile): the run may have been adopted and run
            # elsewhere. Join again and ask again (a run still this node's is won
            # again). Checked here, in the caller's task, so that nothing yields to
            # the loop between this check and the start of the run.
            await self._rejoined(node.epoch)
            self._check_running("claim")

    async def _flush(self, ops: list[Op]) -> None:
        assert self._batch is not None  # noqa: S101
        batch: dict[str, Op] = {}
        for op in ops:
            if op.args[0] in batch:  # the same job twice: the second waits for the next batch
                self._batch.pending.append(op)
            else:
                batch[op.args[0]] = op
        self._counts["claim_batches"] += 1
        self._counts["largest_claim_batch"] = max(self._counts["largest_claim_batch"], len(batch))
        ids = sorted(batch)
        dues = [batch[i].args[1] for i in ids]
        s = quote(self._options.schema)
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
        node = self._node.node_id
        sent_with = self._node.epoch

        async def run(conn: Any) -> list[Any]:
            nonlocal sent_with
            sent_with = self._node.epoch
            records: list[Any] = await self._connection.round_trip(
                conn, "fetch", sql, ids, dues, node, sent_with
            )
            return records

        try:
            while True:
                if self._node.time() - self._node.renewed_at > self._options.lease_seconds:
                    # no renewal for a whole lease: it has expired on the database too
                    await self._rejoined(self._node.epoch)
                records = await self._connection.retry("claim", run)
                if not records or records[-1]["lease"]:
                    break
                await self._rejoined(sent_with)  # the lease was lost: join again, then ask again
                self._check_running("claim")
        except (PostgresStorageError, PostgresStorageStateError) as exc:
            for op in batch.values():
                settle(op, error=exc)
            return
        answers: dict[str, Claim] = {}
        for rec in records:
            answers[rec["job_id"]] = Claim(bool(rec["won"]), row_from(rec))
        for job_id, op in batch.items():
            answer = answers.get(job_id, Claim(won=False, row=None))
            self._counts["claims_won" if answer.won else "claims_lost"] += 1
            settle(op, answer)

    # --- what follows a run (in the write batches) -----------------------------------

    async def advance(self, conn: Any, seg: list[Op]) -> list[Claim]:
        """One fenced update for the advances of a segment (each job once)."""
        s = quote(self._options.schema)
        rows: list[ScheduledJob] = [op.args[0] for op in seg]
        records = await self._connection.round_trip(
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
            self._node.node_id,
            self._node.epoch,
        )
        answers = {rec["job_id"]: Claim(bool(rec["won"]), row_from(rec)) for rec in records}
        results = [answers.get(r.job_id, Claim(won=False, row=None)) for r in rows]
        self._counts["writes_lost"] += sum(not c.won for c in results)
        return results

    async def release(self, conn: Any, seg: list[Op]) -> list[set[str]]:
        """One fenced delete for the releases of a segment (each job once).

        A row updated by another transaction meanwhile is checked again on
        its latest version (``READ COMMITTED``), so the condition holds when
        the row goes.
        """
        s = quote(self._options.schema)
        items = [item for op in seg for item in op.args]
        records = await self._connection.round_trip(
            conn,
            "fetch",
            f"DELETE FROM {s}.jobs j USING unnest($1::text[], $2::timestamptz[]) "  # noqa: S608
            "AS r(job_id, claimed) WHERE j.job_id = r.job_id AND j.owner = $3 "
            "AND j.epoch = $4 AND j.next_run_at = r.claimed RETURNING j.job_id",
            [job_id for job_id, _ in items],
            [at for _, at in items],
            self._node.node_id,
            self._node.epoch,
        )
        gone = {rec["job_id"] for rec in records}
        self._counts["rows_deleted"] += len(gone)
        self._counts["writes_lost"] += len(items) - len(gone)
        return [{job_id for job_id, _ in op.args} & gone for op in seg]
