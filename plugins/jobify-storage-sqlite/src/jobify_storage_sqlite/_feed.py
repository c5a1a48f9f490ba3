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
"""

from __future__ import annotations

import collections
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

__all__ = ("FeedWatch", "Tombstones")

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
