"""The worker thread's connection to the file: opening it, guarding it, closing it.

Opening makes the file ready for group commit (WAL journaling,
``synchronous=NORMAL``, the schema of :mod:`._schema`) and logs which file it
opened and what it holds, so that an app started in the wrong directory shows
at once. A read-only open (``jobify jobs``) creates and changes nothing and
reads the layout of the file as it is. While the file is open the
:mod:`._guard` watches look for it (and the scheduler lock file) being
deleted or replaced. Everything here runs on the worker thread.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from jobify.exceptions import StorageNotFoundError
from jobify_storage_sqlite._errors import SQLiteStorageError
from jobify_storage_sqlite._guard import FileWatch, SchedulerLockFile, lock_path
from jobify_storage_sqlite._schema import Layout, Names, create_schema, read_layout

__all__ = ("Database", "describe", "is_memory")

log = logging.getLogger("jobify.storage.sqlite")


def is_memory(database: Path) -> bool:
    """Whether ``database`` names SQLite's private in-memory database."""
    return os.fspath(database) == ":memory:"


def describe(path: Path, table: str) -> str:
    """``SQLite file '/abs/jobify.db', table 'jobify_schedules'``: where the jobs live."""
    return f"SQLite file {str(path)!r}, table {table!r}"


class Database:
    """The file and table of one started storage, as the worker thread holds them."""

    def __init__(
        self, path: Path, table: str, *, timeout: float, read_only: bool, where: str
    ) -> None:
        self.where = where
        self.memory = is_memory(path)
        self.path = path
        self.table = table
        self.described = describe(path, table)  # in the lock file's messages
        self.timeout = timeout
        self.read_only = read_only
        self.names = Names(table)
        self.layout = Layout()  # what the file holds; less only for read_only() on an old file
        self.watch: FileWatch | None = None  # set when the file is open (not in memory)
        self.lock: SchedulerLockFile | None = None  # set by lock_scheduler()
        self.conn: sqlite3.Connection | None = None
        self.checkpointer: sqlite3.Connection | None = None  # see checkpoint()

    @property
    def watched(self) -> bool:
        """Whether the file is watched (it is open, and not in memory nor read-only)."""
        return self.watch is not None

    @property
    def guarded(self) -> bool:
        """Whether :meth:`check_file` has anything to look at."""
        return self.watch is not None or self.lock is not None

    def open(self) -> sqlite3.Connection:
        """Open the file (creating it and its tables unless read-only); keep the connection."""
        self.conn = self._open_read_only() if self.read_only else self._open()
        return self.conn

    def _open(self) -> sqlite3.Connection:
        existed = not self.memory and self.path.exists()
        conn = sqlite3.connect(
            os.fspath(self.path), timeout=self.timeout, isolation_level=None,
            check_same_thread=False,  # one thread at a time: see Runner.busy
        )  # fmt: skip
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() not in ("wal", "memory"):
                log.warning(
                    "%s: SQLite refused WAL journaling (journal_mode=%s); writes will block "
                    "readers. Put the database on a local file system.", self.where, mode
                )  # fmt: skip
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA wal_autocheckpoint=0")  # the worker checkpoints (Runner)
            create_schema(conn, self.names, self.where, SQLiteStorageError)
            if not self.memory:
                self.watch = FileWatch(self.path, self.where)
                self._log_found(conn, existed=existed)
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        """Open the file without creating or changing anything (``jobify jobs``)."""
        if self.memory:
            msg = (
                f"{self.where}: a ':memory:' database lives only inside the app that opened "
                "it; there is nothing to read from outside"
            )
            raise StorageNotFoundError(msg)
        if not self.path.is_file():
            msg = (
                f"SQLite file {str(self.path)!r} does not exist (opened read-only, so it was "
                "not created). Check the database option and the directory you run in"
            )
            raise StorageNotFoundError(msg)
        # mode=ro never creates the file; SQLite may add the -wal/-shm files a WAL read needs
        uri = f"{self.path.as_uri()}?mode=ro"
        conn = sqlite3.connect(
            uri, uri=True, timeout=self.timeout, isolation_level=None,
            check_same_thread=False,  # one thread at a time: see Runner.busy
        )  # fmt: skip
        try:
            self._check_table_exists(conn)
            self.layout = read_layout(conn, self.names)
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_table_exists(self, conn: sqlite3.Connection) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if self.table not in tables:
            found = ", ".join(repr(t) for t in sorted(tables)) or "none"
            msg = (
                f"SQLite file {str(self.path)!r} holds no table {self.table!r} (tables: "
                f"{found}); check the table_name option"
            )
            raise StorageNotFoundError(msg)

    def _log_found(self, conn: sqlite3.Connection, *, existed: bool) -> None:
        """Say at startup which file was opened and what it holds (a wrong cwd shows here)."""
        total, aside = conn.execute(
            f"SELECT count(*), count(quarantined_reason) FROM {self.names.jobs}"  # noqa: S608
        ).fetchone()
        held = f"{total} stored job(s)" + (f", {aside} of them set aside" if aside else "")
        if existed:
            log.info("SQLite file %s, table %r: %s", self.path, self.table, held)
        else:
            log.info("SQLite file %s created (it did not exist), table %r", self.path, self.table)

    def check_file(self, *, lock: bool = True) -> None:
        """Log at ERROR when the database or lock file was deleted or replaced (see _guard).

        ``lock=False``: the database file only.
        """
        if self.watch is not None:
            self.watch.check(self._count_rows)
        if lock and self.lock is not None:
            self.lock.recheck(self.described)

    def _count_rows(self) -> int | None:
        conn = self.conn
        if conn is None:
            return None
        try:
            found = conn.execute(f"SELECT count(*) FROM {self.names.jobs}").fetchone()  # noqa: S608
        except sqlite3.Error:
            return None
        return int(found[0])

    def lock_scheduler(self) -> None:
        """Take the scheduler lock of this table (see _guard)."""
        if self.lock is None and not self.memory:
            self.lock = SchedulerLockFile.acquire(lock_path(self.path, self.table), self.described)

    def checkpoint(self) -> int:
        """Copy the WAL back into the file, on a connection of its own (the worker thread).

        PASSIVE: it waits for no reader nor writer, so commits on the main
        connection may go on meanwhile (a checkpoint holding that connection
        made the loop wait for its fsync). Returns how many frames the WAL
        holds (0: a memory or read-only database, or the checkpoint failed).
        """
        if self.memory or self.read_only or self.conn is None:
            return 0
        try:
            if self.checkpointer is None:
                self.checkpointer = sqlite3.connect(
                    os.fspath(self.path), timeout=self.timeout, isolation_level=None
                )
            _, frames, _ = self.checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            log.debug("%s: WAL checkpoint failed", self.where, exc_info=True)
            return 0
        return int(frames)

    def close(self) -> None:
        """Release the scheduler lock and close the connection; raises ``sqlite3.Error``."""
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.release()
        checkpointer, self.checkpointer = self.checkpointer, None
        if checkpointer is not None:
            checkpointer.close()
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()
