"""The change feed: how one storage hears what other connections wrote to its table.

Every write batch stamps the rows it writes with a version (the counter in
``<table_name>_meta``, bumped once per batch) and the writer's token;
deletes and control flags set by others also leave an entry in
``<table_name>_changes``. A reader remembers the last version it read (its
cursor) and asks for what others wrote after it.

On the worker thread, :class:`FeedWatch` asks SQLite's ``PRAGMA
data_version`` every ``FEED_SECONDS`` while a scheduler watches: one query
that reads no row and changes only when another connection committed, so
the loop is woken only then. It also keeps what the guard of a feed reader's
writes needs (see :meth:`FeedWatch.unheard_deletes`). :class:`Tombstones`
trims the change entries older than ``CHANGES_KEPT_SECONDS``, in the write
batches, at most once a minute.

On the event loop, :class:`Feed` is the storage's ``ChangeFeed`` ability:
``cursor()``, ``watch()`` and ``changes()``, and the guard that keeps a feed
reader from storing again a row another process deleted after the last
cursor it read.
"""

from __future__ import annotations

import collections
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jobify.storage import RowChanges
from jobify_storage_sqlite._rows import JobParams, select_jobs, stored_job

if TYPE_CHECKING:
    from jobify_storage_sqlite._runner import Tally
    from jobify_storage_sqlite._worker import Worker

__all__ = ("Feed", "FeedWatch", "Tombstones")

log = logging.getLogger("jobify.storage.sqlite")


class FeedWatch:
    """The worker thread's side of the feed: data_version polling and the writes' guard."""

    def __init__(self, post: Callable[..., None], *, interval: float, where: str) -> None:
        self.post = post  # calls a callback on the event loop
        self.interval = interval
        self.where = where
        # the watch: the callback, the last data_version seen, when to look next
        self.on_change: Callable[[], None] | None = None
        self.data_version: Any = None
        self.next_look = 0.0
        # the guard of a feed reader's writes: the last feed read (its version and the
        # data_version then), and the unheard deletes found for a (cursor, data_version)
        self.read_version = -1
        self.read_data_version: Any = None
        self.unheard: tuple[tuple[int, Any], set[str]] | None = None

    def deadline(self) -> float | None:
        """When to look next (``time.monotonic()``); None while nobody watches."""
        return None if self.on_change is None else self.next_look

    def start(self, conn: sqlite3.Connection | None, callback: Callable[[], None]) -> None:
        """Call ``callback`` on the loop from now on whenever another connection commits."""
        self.on_change = callback
        self.data_version = self._data_version(conn)
        self.next_look = time.monotonic() + self.interval
        # once now: what others wrote between the caller's cursor and this baseline
        self.post(callback)

    def tick(self, conn: sqlite3.Connection | None, now: float) -> None:
        """Look, if a look is due: call back on the loop when another connection committed."""
        if self.on_change is None or now < self.next_look:
            return
        self.next_look = now + self.interval
        version = self._data_version(conn)
        if version != self.data_version:
            self.data_version = version
            self.post(self.on_change)

    def _data_version(self, conn: sqlite3.Connection | None) -> Any:
        if conn is None:
            return None
        try:
            return conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:  # e.g. busy during WAL recovery: look again next time
            log.debug("%s: PRAGMA data_version failed", self.where, exc_info=True)
            return self.data_version

    def note_read(self, conn: sqlite3.Connection, version: int) -> None:
        """A feed read (cursor or changes) saw everything up to ``version``."""
        self.read_version = version
        self.read_data_version = conn.execute("PRAGMA data_version").fetchone()[0]

    def unheard_deletes(
        self, conn: sqlite3.Connection, query: str, seen: int, token: int
    ) -> set[str]:
        """Ids other connections deleted after ``seen``, for the guard of a reader's writes.

        No other connection committed since the last feed read (``PRAGMA
        data_version`` unchanged, the usual case): nothing to look for. Else
        one indexed range read per (cursor, data_version), kept for the next
        writes.
        """
        now = conn.execute("PRAGMA data_version").fetchone()[0]
        if seen >= self.read_version and now == self.read_data_version:
            return set()
        key = (seen, now)
        if self.unheard is not None and self.unheard[0] == key:
            return self.unheard[1]
        found = {r[0] for r in conn.execute(query, (seen, token))}
        self.unheard = (key, found)
        return found


class Tombstones:
    """Drops change entries older than the keep time, in the batches that write."""

    def __init__(self, changes: str, *, kept_seconds: float) -> None:
        self.delete = f"DELETE FROM {changes} WHERE version <= ?"  # noqa: S608
        self.kept_seconds = kept_seconds
        self.samples: collections.deque[tuple[float, int]] = collections.deque()

    def trim(self, conn: sqlite3.Connection, version: int) -> None:
        """Drop the entries older than the keep time, in the batch of ``version``.

        The thread notes one (time, version) sample a minute; entries of a
        version at or below a sample older than the keep time are older than
        that too. One indexed DELETE per minute at most, none while idle.
        """
        now = time.monotonic()
        samples = self.samples
        if not samples or now - samples[-1][0] >= self.kept_seconds / 60:
            samples.append((now, version))
        cutoff = None
        while samples and now - samples[0][0] >= self.kept_seconds:
            cutoff = samples.popleft()[1]
        if cutoff is not None:
            conn.execute(self.delete, (cutoff,))


class Feed:
    """The event loop's side of the feed, for one storage: what it read so far, and its reads."""

    def __init__(self, worker: Worker, token: int) -> None:
        self.worker = worker
        self.token = token  # this storage object: its own writes are not news to it
        self.seen: int | None = None  # the feed read so far; None: this storage reads no feed
        self._unheard_sql: str | None = None
        self._present_sql: str | None = None

    def _heard(self, cursor: int) -> None:
        if self.seen is None or cursor > self.seen:
            self.seen = cursor

    async def cursor(self) -> int:
        """The version of the last write batch committed to the table (``cursor``)."""
        meta = self.worker.names.meta
        watch = self.worker.check_running("cursor").feed

        def read(conn: sqlite3.Connection, tally: Tally) -> int:
            found = conn.execute(f"SELECT value FROM {meta} WHERE key = 'version'").fetchone()  # noqa: S608
            version = 0 if found is None else int(found[0])
            watch.note_read(conn, version)
            return version

        version: int = await self.worker.call("cursor", read, writes=False)
        self._heard(version)
        return version

    def watch(self, on_change: Callable[[], None]) -> None:
        """Have ``on_change`` called on the loop when another connection writes (``watch``)."""
        self.worker.check_running("watch").watch(on_change)

    async def changes(self, cursor: int) -> RowChanges:
        """What other storage objects added, changed or deleted after ``cursor`` (``changes``)."""
        names = self.worker.names
        token = self.token
        layout = self.worker.layout()
        rows_sql = select_jobs(names, layout, "WHERE version > ? AND writer != ?")
        logged_sql = (
            "SELECT c.job_id, c.deleted AND j.writer = ?2 AND j.version > c.version, "  # noqa: S608
            "j.job_id, j.name, j.message, j.status, j.next_run_at, "
            "j.quarantined_reason, j.paused, j.run_requested "
            f"FROM {names.changes} AS c LEFT JOIN {names.jobs} AS j ON j.job_id = c.job_id "
            "WHERE c.version > ?1 AND c.writer != ?2"
        )
        meta_sql = f"SELECT value FROM {names.meta} WHERE key = 'version'"  # noqa: S608
        if not (layout.flags and layout.changes):  # read-only on an older file: no feed
            return RowChanges(cursor, [], [])
        watch = self.worker.check_running("changes").feed

        def read(conn: sqlite3.Connection, tally: Tally) -> RowChanges:
            found = conn.execute(meta_sql).fetchone()
            now = 0 if found is None else int(found[0])
            watch.note_read(conn, now)
            changed = {raw[0]: stored_job(raw) for raw in conn.execute(rows_sql, (cursor, token))}
            deleted: list[str] = []
            for job_id, stored_again, *raw in conn.execute(logged_sql, (cursor, token)):
                if raw[0] is None or stored_again:
                    deleted.append(job_id)
                elif job_id not in changed:
                    changed[job_id] = stored_job(raw)
            return RowChanges(max(now, cursor), list(changed.values()), deleted)

        result: RowChanges = await self.worker.call("changes", read, writes=False)
        self._heard(result.cursor)
        return result

    def guard(self) -> Callable[[sqlite3.Connection, list[JobParams]], list[JobParams]] | None:
        """What a write of rows keeps of them, inside its batch; None: it keeps them all.

        Once this storage reads the feed, a row another process deleted after
        the last cursor read here is not stored again: the delete has not
        been heard yet, and storing the row would undo it.
        """
        seen = self.seen
        runner = self.worker.runner
        if seen is None or runner is None:
            return None
        watch = runner.feed
        token = self.token
        unheard_sql, present_sql = self._statements()

        def keep_heard(conn: sqlite3.Connection, params: list[JobParams]) -> list[JobParams]:
            unheard = watch.unheard_deletes(conn, unheard_sql, seen, token)
            if unheard and (mine := unheard.intersection(p[0] for p in params)):
                marks = ", ".join("?" * len(mine))
                query = present_sql.format(marks=marks)
                gone = mine - {r[0] for r in conn.execute(query, list(mine))}
                return [p for p in params if p[0] not in gone]
            return params

        return keep_heard

    def _statements(self) -> tuple[str, str]:
        """The guard's SQL, built once: the unheard deletes, and which ids are still stored."""
        if self._unheard_sql is None or self._present_sql is None:
            names = self.worker.names
            self._unheard_sql = (
                f"SELECT job_id FROM {names.changes} "  # noqa: S608
                "WHERE version > ? AND writer != ? AND deleted = 1"
            )
            self._present_sql = f"SELECT job_id FROM {names.jobs} WHERE job_id IN ({{marks}})"  # noqa: S608
        return self._unheard_sql, self._present_sql
