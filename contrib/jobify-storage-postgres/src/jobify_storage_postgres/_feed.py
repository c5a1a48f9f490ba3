"""The change feed of ``PostgresStorage``: what other processes wrote, within about a second.

A scheduler must hear what producers (``app.push`` in a web worker), other
nodes and operators (``jobify jobs pause ID``) write to the same schema.
Polling rows would cost a query per interval per node; instead:

* every write another process must hear about (a new or replaced row, a
  delete, a control flag, a finished job) bumps the one-row ``feed``
  counter in its own statement, stamps the rows it stores with that
  version and its writer (the node id), leaves a ``changes`` entry for
  what the row cannot show (a delete, a flag), and sends
  ``NOTIFY <schema>_cluster, '<writer> changed'`` (delivered at commit);
* :meth:`FeedAbility.watch` listens on the cluster's channel, on the
  storage's listening connection, and calls back when another writer's
  notice comes; idle, that is the whole cost. The lease beat reads the
  counter in its renewal statement, so a notice lost with a broken
  connection is made up for within a third of ``lease_seconds``;
* :meth:`FeedAbility.changes` reads the rows and entries stamped after the
  cursor by other writers, in one snapshot.

The counter is a row, not a sequence, on purpose: the update locks it until
the write commits, so versions are handed out in commit order, and a reader
that sees version ``n`` sees every write up to ``n``. (A sequence hands out
numbers in call order; a reader could pass a number whose transaction
commits later and miss it for good.) Bookkeeping of runs (claims, advances,
releases, adoption) is not stamped: the nodes settle those through claims.
Nor are the rows a live scheduler node (one that joined) stores reported to
the others, and they send no notice: that node arms them, and the others meet
them through claims and adoption, as before the feed. What producers and
operators store, and every delete and flag, reaches every node.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from jobify.storage import RowChanges, StoredJob
from jobify_storage_postgres._base import (
    OPERATIONS_LAYOUT,
    AbilityBase,
    quote,
    stored_columns,
    stored_from,
)

__all__ = ("CHANGES_KEPT_SECONDS", "FeedAbility", "changed_by", "notify", "notice", "stamp")

CHANGES_KEPT_SECONDS: Final = 3600.0
"""How long a tombstone (or another process's flag change) stays for the change feed."""
TRIM_SECONDS: Final = 60.0
"""How often a node drops the entries older than :data:`CHANGES_KEPT_SECONDS`."""

_CHANGED: Final = " changed"  # a node id ends with hex digits, never with this


def notice(writer: str) -> str:
    """The payload of the notice a write by ``writer`` sends on the cluster's channel."""
    return writer + _CHANGED


def changed_by(payload: str) -> str | None:
    """The writer a change notice names; None for another notice (a node that left)."""
    return payload[: -len(_CHANGED)] if payload.endswith(_CHANGED) else None


def stamp(s: str, *, bump: bool = True, when: str = "true") -> str:
    """The CTE ``v`` that bumps the feed counter: ``(SELECT version FROM v)`` is the write's.

    ``bump=False`` (rows a joined node stores, which are not reported) reads
    the counter instead: no lock on it, so the nodes' own writes never wait
    for each other there. ``when``: bump only if it holds (a delete that
    found rows), else ``v`` is empty and the counter is neither changed nor
    locked.
    """
    if not bump:
        return f"v AS (SELECT version FROM {s}.feed)"  # noqa: S608
    return f"v AS (UPDATE {s}.feed SET version = version + 1 WHERE {when} RETURNING version)"  # noqa: S608


def notify(channel: str, payload: str, when: str = "true") -> str:
    """A scalar subquery that sends the notice (at commit) when ``when`` holds.

    ``channel`` and ``payload`` are parameter references (``$8``); the call
    is a function scan, which PostgreSQL always runs when the row is read.
    """
    return f"(SELECT count(*) FROM v, pg_notify({channel}, {payload}) WHERE {when})"  # noqa: S608


class FeedAbility(AbilityBase):
    """``cursor``, ``watch`` and ``changes``: the :class:`~jobify.storage.ChangeFeed` ability."""

    async def cursor(self) -> int:
        """Return the feed's counter: every change stored so far (any process) is at or below it.

        From now on this storage reads the feed: its ``add_schedule`` no longer
        stores again a row another process deleted after the last cursor it read.
        """
        self._check_running("cursor")
        await self._drained_writes()
        if self._layout < OPERATIONS_LAYOUT:
            return 0
        sql = f"SELECT version FROM {quote(self.schema)}.feed"  # noqa: S608

        async def read(conn: Any) -> int:
            found = await self._round_trip(conn, "fetchval", sql)
            return 0 if found is None else int(found)

        version = await self._retry("cursor", read)
        self._feed_read(version)
        return version

    def watch(self, on_change: Callable[[], None]) -> None:
        """Call ``on_change()`` on this loop soon after another process changed rows.

        The storage listens on ``<schema>_cluster`` (its listening connection,
        opened now if the node has not joined yet); every change notice from
        another writer calls back, and one call comes right away for what was
        written before the watch began. Idle, nothing is sent to the server
        but the lease beat, which also reads the feed's counter in case a
        notice was lost with the listening connection. A storage opened with
        ``read_only()`` (the dashboard's) watches too: it writes nothing, so
        every writer's notice calls back; it has no lease beat, and a lost
        listening connection calls back when it is open again.

        Raises:
            PostgresStorageStateError: the storage is not running.
        """
        self._check_running("watch")
        self._on_change = on_change
        self._ensure_listening()
        assert self._loop is not None  # noqa: S101 - running
        self._loop.call_soon(self._feed_changed)

    async def changes(self, cursor: int) -> RowChanges:
        """Return what other writers added, changed or deleted after ``cursor``, in one snapshot.

        Rows carry the version and the writer of the write that last stored
        them; deletes and flags set by others leave an entry in ``changes``.
        A row stored by a live node that joined the cluster (a scheduler) is
        not reported: that node arms it, and the others hear of it through
        claims and adoption, as before the feed; rows stored by producers
        and operators are, and so are every delete and flag.
        A row this storage stored again after another's delete (before the
        guard of :meth:`cursor` could know) is reported deleted: the delete
        wins. A run request (``jobify jobs run ID``) is handed to one node:
        the first whose read takes it (clears the flag, while its lease is
        live) gets ``run_requested`` true; the others get the row without it,
        so the extra run happens once.
        """
        if isinstance(cursor, bool) or not isinstance(cursor, int):
            msg = f"{self._where}.changes(cursor={cursor!r}): expected the int cursor() returned"
            raise TypeError(msg)
        self._check_running("changes")
        await self._drained_writes()
        if self._layout < OPERATIONS_LAYOUT:
            return RowChanges(cursor, [], [])
        s = quote(self.schema)
        me = self._node_id
        resync, self._resync = self._resync, set()
        rows_sql = (
            f"SELECT {stored_columns(self._layout, 'j.')} FROM {s}.jobs j "  # noqa: S608
            "WHERE (j.version > $1 AND j.writer IS DISTINCT FROM $2 AND NOT EXISTS (SELECT 1 "
            f"FROM {s}.nodes n WHERE n.node_id = j.writer AND n.joined "
            "AND n.lease_until >= now())) OR j.job_id = ANY($3::text[])"
        )
        logged_sql = (
            "SELECT c.job_id AS logged, c.deleted AND j.writer IS NOT DISTINCT FROM $2 "  # noqa: S608
            f"AND j.version >= c.version AS stored_again, {stored_columns(self._layout, 'j.')} "
            f"FROM {s}.changes c LEFT JOIN {s}.jobs j ON j.job_id = c.job_id "
            "WHERE c.version > $1 AND c.writer IS DISTINCT FROM $2"
        )

        async def read(conn: Any) -> tuple[int, list[Any], list[Any]]:
            self._counts["round_trips"] += 5
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                now = await conn.fetchval(f"SELECT version FROM {s}.feed")  # noqa: S608
                rows = await conn.fetch(rows_sql, cursor, me, list(resync))
                logged = await conn.fetch(logged_sql, cursor, me)
            return int(now or 0), rows, logged

        try:
            now, rows, logged = await self._retry("changes", read)
        except BaseException:
            self._resync |= resync
            raise
        changed: dict[str, Any] = {rec["job_id"]: rec for rec in rows}
        deleted: list[str] = []
        for rec in logged:
            if rec["job_id"] is None or rec["stored_again"]:
                deleted.append(rec["logged"])
                changed.pop(rec["logged"], None)
            elif rec["job_id"] not in changed:
                changed[rec["job_id"]] = rec
        taken = await self._take_run_requests(
            [job_id for job_id, rec in changed.items() if rec["run_requested"]]
        )
        reported: list[StoredJob] = [
            stored_from(rec, run_requested=job_id in taken) for job_id, rec in changed.items()
        ]
        version = max(now, cursor)
        self._feed_read(version)
        return RowChanges(version, reported, deleted)

    async def _take_run_requests(self, job_ids: list[str]) -> set[str]:
        """Clear the run requests of ``job_ids`` for this node; return those it took.

        One conditional update: a request goes to one reader, and only while
        its lease is live under its epoch (a node that lost its lease takes
        none; it joins again first).
        """
        if not job_ids:
            return set()
        if self._node_id is None or self._read_only:
            return set(job_ids)  # a reader that takes nothing shows the flags as they are
        s = quote(self.schema)
        sql = (
            f"UPDATE {s}.jobs SET run_requested = false, updated_at = now() "  # noqa: S608
            "WHERE job_id = ANY($1::text[]) AND run_requested AND EXISTS (SELECT 1 "
            f"FROM {s}.nodes WHERE node_id = $2 AND epoch = $3 "
            "AND lease_until >= clock_timestamp()) RETURNING job_id"
        )
        ids, node, epoch = sorted(job_ids), self._node_id, self._epoch

        async def take(conn: Any) -> set[str]:
            records = await self._round_trip(conn, "fetch", sql, ids, node, epoch)
            return {r["job_id"] for r in records}

        return await self._retry("changes", take)

    # --- the storage's side ---------------------------------------------------------

    def _feed_started(self) -> None:
        """The storage starts: nothing read, heard or watched yet."""
        self._seen, self._heard, self._on_change, self._resync = None, 0, None, set()

    def _feed_closed(self) -> None:
        """The storage closed: nobody watches any more."""
        self._on_change = None

    def _feed_read(self, version: int) -> None:
        """A feed read (cursor or changes) covered everything up to ``version``."""
        if self._seen is None or version > self._seen:
            self._seen = version
        self._heard = max(self._heard, version)

    def _feed_changed(self) -> None:
        """Call the watcher back (on the loop), if one watches."""
        on_change = self._on_change
        if on_change is not None:
            on_change()

    def _feed_noticed(self, writer: str) -> None:
        """A change notice came from ``writer``: call back unless it was this storage."""
        if writer != self._node_id:
            self._feed_changed()

    def _feed_beat(self, version: int | None) -> None:
        """The lease beat read the counter: call back if it moved past what was read."""
        if version is not None and version > self._heard and self._on_change is not None:
            self._heard = version
            self._feed_changed()

    def _resync_rows(self, records: list[Any]) -> None:
        """Rows this node took (joined, adopted) whose flags the kernel must still hear.

        ``join`` and the adopt callback hand rows over without their flags;
        the paused and run-requested ones are reported by the next
        :meth:`changes`, which the watcher is asked to read.
        """
        if self._layout < OPERATIONS_LAYOUT:
            return
        flagged = {r["job_id"] for r in records if r["paused"] or r["run_requested"]}
        if flagged:
            self._resync |= flagged
            if self._loop is not None:
                self._loop.call_soon(self._feed_changed)

    async def _trim_changes(self, conn: Any) -> None:
        """Drop ``changes`` entries older than :data:`CHANGES_KEPT_SECONDS` (an indexed delete)."""
        await conn.execute(
            f"DELETE FROM {quote(self.schema)}.changes "  # noqa: S608
            "WHERE at < now() - make_interval(secs => $1)",
            CHANGES_KEPT_SECONDS,
        )
