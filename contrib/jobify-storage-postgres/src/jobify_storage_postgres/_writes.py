"""The write batches of one ``PostgresStorage``: :class:`Writes`.

Every write (``add_schedule``, deletes, ``set_aside``, ``advance``,
``release``, the operations' flags, runs and outcomes) is a call in the
write :class:`~._batching.Batcher`. The calls of one loop turn run in order:
consecutive calls of one kind share one statement (an upsert of
``unnest``-ed arrays, one ``DELETE``), and a batch of several kinds is one
transaction. When PostgreSQL refuses a batch, each call is run on its own,
so one bad call never fails its neighbours. The fenced statements of a run
(advance, release) are :class:`~._claims.Claims`'; the operations' kinds are
run by the storage's ``OperationsAbility``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from jobify import JobStatus
from jobify.storage import ScheduledJob
from jobify_storage_postgres._base import quote, row_from
from jobify_storage_postgres._batching import CALLS, Batcher, Op, settle, split_repeats
from jobify_storage_postgres._claims import Claims
from jobify_storage_postgres._connection import Connection
from jobify_storage_postgres._errors import PostgresStorageError
from jobify_storage_postgres._feed import notice, notify, stamp
from jobify_storage_postgres._node import Node, Options
from jobify_storage_postgres._operations import OPERATION_KINDS

__all__ = ("Writes",)

RunOperation = Callable[[Any, list[Op]], Awaitable[list[Any]]]
"""Runs consecutive calls of one of the operations' kinds on a connection; one result each."""


class Writes:
    """The write batches of one storage: grouping, statements, and answering each call."""

    __slots__ = ("_batch", "_claims", "_connection", "_counts", "_node", "_operation", "_options")

    def __init__(
        self,
        node: Node,
        options: Options,
        counts: dict[str, int],
        connection: Connection,
        claims: Claims,
        operation: RunOperation,
    ) -> None:
        self._node = node
        self._options = options
        self._counts = counts
        self._connection = connection
        self._claims = claims  # runs the fenced advance and release statements
        self._operation = operation  # runs the operations' kinds (OPERATION_KINDS)
        self._batch: Batcher | None = None

    @property
    def batch(self) -> Batcher | None:
        """The batcher of the writes while started, else None."""
        return self._batch

    def start(self) -> None:
        """A new batcher, on the node's loop (at each startup)."""
        assert self._node.loop is not None  # noqa: S101 - starting
        self._batch = Batcher(self._node.loop, self._flush)

    def put(self, kind: str, args: Any) -> asyncio.Future[Any]:
        """Send one write call of ``kind`` in the next batch; its future is its answer."""
        assert self._batch is not None  # noqa: S101 - set by startup
        return self._batch.put(kind, args)

    async def drained(self) -> None:
        """Wait until every write made so far is answered (a read sees them)."""
        if self._batch is not None and self._batch.busy:
            await self._batch.drain()

    async def _flush(self, ops: list[Op]) -> None:
        """Run the writes of one turn, in order, as one statement or one transaction."""
        self._counts["write_batches"] += 1
        self._counts["largest_write_batch"] = max(self._counts["largest_write_batch"], len(ops))
        segments: list[list[Op]] = []
        for op in ops:  # consecutive calls of a kind share a statement
            if segments and segments[-1][0].kind == op.kind and op.kind != "if_absent":
                segments[-1].append(op)
            else:
                segments.append([op])
        what = ops[0].kind if len(segments) == 1 else "write batch"
        name = CALLS.get(what, what)
        segments = split_repeats(segments)  # a fenced statement touches each row once

        async def run(conn: Any) -> list[list[Any]]:
            if len(segments) == 1:
                return [await self._run_segment(conn, segments[0])]
            self._counts["round_trips"] += 2  # BEGIN, COMMIT
            async with conn.transaction():
                return [await self._run_segment(conn, seg) for seg in segments]

        try:
            results = await self._connection.retry(name, run)
        except PostgresStorageError as exc:
            if len(ops) == 1:
                settle(ops[0], error=exc)
                return
            # one bad call must not fail its neighbours: run each on its own
            for op in ops:
                try:
                    result = await self._connection.retry(
                        op.kind, functools.partial(self._alone, op)
                    )
                except PostgresStorageError as single:
                    settle(op, error=single)
                else:
                    settle(op, result[0])
            return
        for seg, seg_results in zip(segments, results, strict=True):
            for op, result in zip(seg, seg_results, strict=True):
                settle(op, result)

    async def _alone(self, op: Op, conn: Any) -> list[Any]:
        return await self._run_segment(conn, [op])

    async def _run_segment(self, conn: Any, seg: list[Op]) -> list[Any]:
        """Run consecutive calls of one kind; return one result per call.

        The fenced kinds (advance, release, set_aside) compare with this
        node's epoch as it is when the statement is sent; a re-join waits for
        the batch on its way before it changes the epoch.
        """
        kind = seg[0].kind
        if kind == "advance":
            return await self._claims.advance(conn, seg)
        if kind == "release":
            return await self._claims.release(conn, seg)
        if kind in OPERATION_KINDS:
            return await self._operation(conn, seg)
        node = self._node.node_id
        assert node is not None  # noqa: S101 - a running storage that writes has an id
        if kind == "upsert":
            return await self._run_upsert(conn, seg, node)
        if kind == "delete":
            return await self._run_delete(conn, seg, node)
        if kind == "set_aside":
            return await self._run_set_aside(conn, seg)
        (op,) = seg  # if_absent: rare (once per declared cron task and start)
        return await self._run_if_absent(conn, op, node)

    async def _run_delete(self, conn: Any, seg: list[Op], node: str) -> list[None]:
        """One delete of the rows of a segment, with their tombstones for the change feed."""
        s = quote(self._options.schema)
        ids = sorted({job_id for op in seg for job_id in op.args})
        rec = await self._connection.round_trip(
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
            self._options.channel,
            notice(node),
        )
        self._counts["rows_deleted"] += int(rec["deleted"])
        return [None] * len(seg)

    async def _run_set_aside(self, conn: Any, seg: list[Op]) -> list[None]:
        """Mark each row of a segment set aside, fenced by this node's ownership and epoch."""
        s = quote(self._options.schema)
        for op in seg:
            job_id, reason = op.args
            status = await self._connection.round_trip(
                conn,
                "execute",
                f"UPDATE {s}.jobs SET set_aside = $2, updated_at = now() "  # noqa: S608
                "WHERE job_id = $1 AND owner = $3 AND epoch = $4",
                job_id,
                reason,
                self._node.node_id,
                self._node.epoch,
            )
            if status.endswith(" 0"):
                self._counts["writes_lost"] += 1
        return [None] * len(seg)

    async def _run_if_absent(self, conn: Any, op: Op, node: str) -> list[ScheduledJob]:
        """Insert the row unless its job id exists; the stored row, either way."""
        s = quote(self._options.schema)
        row = op.args
        joined = self._node.adopt is not None
        rec = await self._connection.round_trip(
            conn,
            "fetchrow",
            f"WITH {stamp(s, bump=not joined)}, ins AS (INSERT INTO {s}.jobs "  # noqa: S608
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
            self._node.epoch,
            self._options.channel,
            notice(node),
            not joined,  # a joined node's rows are not reported: no notice
        )
        if rec is None:  # deleted between the conflict and the read: try again
            return await self._run_segment(conn, [op])
        return [row_from(rec)]

    async def _run_upsert(self, conn: Any, seg: list[Op], node: str) -> list[None]:
        """One upsert of the rows of a segment (each job once: the last wins), stamped.

        The rows keep their control flags. A storage that reads the change
        feed does not store again a row another writer deleted after the
        oldest cursor its calls read (the delete wins, see ``ChangeFeed``).
        """
        s = quote(self._options.schema)
        latest: dict[str, ScheduledJob] = {}
        seen: list[int] = []
        for op in seg:
            rows, op_seen = op.args
            if op_seen is not None:
                seen.append(op_seen)
            for row in rows:
                latest[row.job_id] = row  # one statement may touch a row once: last wins
        ordered = sorted(latest.values(), key=lambda r: r.job_id)  # lock order: no deadlock
        joined = self._node.adopt is not None
        rec = await self._connection.round_trip(
            conn,
            "fetchrow",
            f"WITH {stamp(s, bump=not joined)}, ins AS (INSERT INTO {s}.jobs AS j "  # noqa: S608
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
            self._node.epoch,
            min(seen) if seen else None,
            self._options.channel,
            notice(node),
            not joined,  # a joined node's rows are not reported (_feed): no notice
        )
        self._counts["rows_written"] += int(rec["written"])
        return [None] * len(seg)
