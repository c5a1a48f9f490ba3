"""One scheduler per SQLite table, and a watch on the database file under a running app.

**The scheduler lock.** Two apps that run the jobs of one table would both
restore and run every stored job. The first app to start takes an exclusive
``flock`` on a lock file beside the database,
``<database>.<table_name>.lock``, and writes who it is into it (process id,
host, start time, command line) so that a second app can name it when it is
refused. The kernel takes the lock through
:meth:`SQLiteStorage.lock_scheduler` (the ``SchedulerLock`` ability).

Why this shape:

* ``flock`` belongs to the open file description, so the kernel releases it
  when the holder dies, SIGKILL included: nothing stale is left, and a lock
  file left on disk is harmless (an unlocked file is a free lock; its old
  content is overwritten by the next holder).
* Two apps in one process open the file twice and so conflict as well, which
  POSIX ``fcntl`` record locks (per process) would not do. Those are the
  locks SQLite itself takes on the database and its ``-wal``/``-shm`` files,
  and a lock file of our own never touches them; ``flock`` and ``fcntl``
  locks are independent on Linux.
* A forked child (e.g. a process-pool worker started with ``fork``) would
  share the open file description and keep the lock alive after its parent
  died; every child closes its copy right after the fork
  (``os.register_at_fork``), so only the holder keeps the lock.
* The lock file is never deleted by the holder (deleting it would let a
  second process lock a new file while the first still holds the old one).
  If someone deletes or replaces it anyway, :class:`FileWatch` notices and
  the holder takes the new file too.
* A ``":memory:"`` database is private to its connection and needs no lock.

**The file watch.** A database file deleted or replaced under a running app
goes unnoticed by SQLite: the open connection keeps writing to the old inode,
and whatever it wrote is gone at the next start. :class:`FileWatch` compares
the path's device and inode with the ones opened, before each write batch
and every :data:`WATCH_SECONDS` on the storage's idle worker thread, and logs
at ERROR once per change. It costs one ``stat`` per batch of writes.

Everything here runs on the storage's worker thread.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from jobify.exceptions import SchedulerLockedError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ("WATCH_SECONDS", "FileWatch", "SchedulerLockFile", "lock_path")

log = logging.getLogger("jobify.storage.sqlite")

WATCH_SECONDS: Final = 30.0
"""How often an idle storage checks that its database file is still in place."""

_READ_TRIES: Final = 20  # the holder writes its details just after taking the lock
_WAYS_OUT: Final = (
    "One database has one scheduler process. Ways out:\n"
    "  - stop the other scheduler first;\n"
    "  - make this app a producer, which only stores jobs for that scheduler to run: "
    '[jobify] role = "producer" in jobify.toml, or Jobify.from_config(..., role="producer");\n'
    "  - use PostgreSQL, where several schedulers share the jobs: [jobify.storage] "
    'use = "postgres" (pip install "jobify[postgres]").'
)

_held_lock = threading.Lock()
_held: set[int] = set()  # lock file descriptors held by this process


def _close_in_child() -> None:
    """After a fork, close the child's copies, so the lock dies with its holder."""
    for fd in list(_held):
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


def lock_path(database: Path, table: str) -> Path:
    """The lock file of ``table`` in ``database``: beside it, symlinks resolved."""
    real = Path(os.path.realpath(database))
    return real.with_name(f"{real.name}.{table}.lock")


def _identity(path: Path) -> tuple[int, int] | None:
    """The device and inode at ``path``; None when nothing is there."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _describe_holder(raw: str, database: str) -> str:
    try:
        info: Any = json.loads(raw) if raw.strip() else None
    except ValueError:
        info = None
    if not isinstance(info, dict):
        return "by a process that is starting (it has not written its details yet)"
    pid, host = info.get("pid"), info.get("host")
    since, command = info.get("since"), info.get("command")
    if pid == os.getpid() and host == socket.gethostname():
        return (
            f"by another app in this same process (pid {pid}), started {since}; two apps of "
            "one process need a table_name each, or be one app"
        )
    text = f"by process {pid} on host {host!r}, running since {since}"
    if command:
        text += f" ({command})"
    return text


class SchedulerLockFile:
    """An exclusive ``flock`` on the lock file of one table, held until :meth:`release`."""

    def __init__(self, path: Path, fd: int) -> None:
        """Wrap ``fd``, the locked file at ``path``; use :meth:`acquire` to make one."""
        self.path = path
        self.fds = [fd]
        self.reported: tuple[int, int] | None = _fd_identity(fd)

    @classmethod
    def acquire(cls, path: Path, database: str) -> SchedulerLockFile:
        """Lock ``path`` (created if missing) and write this process's details into it.

        Raises:
            SchedulerLockedError: another open file description holds it,
                in this process or another; the message names the holder.
        """
        return cls(path, _lock(path, database))

    def recheck(self, database: str) -> None:
        """Take the lock file again if it was deleted or replaced since it was locked."""
        now = _identity(self.path)
        if now == self.reported:
            return
        self.reported = now
        try:
            fd = _lock(self.path, database)
        except SchedulerLockedError as exc:
            log.error(  # noqa: TRY400 - the refusal is the news, not its traceback
                "%s: the lock file %s was deleted or replaced while this app held it, and "
                "another scheduler took the new one: two schedulers may now run these jobs. "
                "Stop one of them. %s",
                database, self.path, exc,
            )  # fmt: skip
            return
        with _held_lock:
            _held.add(fd)
        self.fds.append(fd)
        self.reported = _fd_identity(fd)
        log.error(
            "%s: the lock file %s was deleted or replaced while this app held it; it is "
            "locked again. Do not delete it while the app runs: a second scheduler could "
            "start on the same jobs",
            database, self.path,
        )  # fmt: skip

    def release(self) -> None:
        """Clear the details and unlock; the file stays (deleting it would race)."""
        for fd in self.fds:
            with _held_lock:
                _held.discard(fd)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the last descriptor releases the flock
        self.fds = []


def _fd_identity(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def _lock(path: Path, database: str) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            holder = _read_holder(fd)
            os.close(fd)
            who = _describe_holder(holder, database)
            msg = f"{database} already has a scheduler: it is held {who}"
            msg += f" (lock file {str(path)!r}).\n{_WAYS_OUT}"
            raise SchedulerLockedError(msg) from None
        except BaseException:
            os.close(fd)
            raise
        if _identity(path) != _fd_identity(fd):
            os.close(fd)  # deleted or replaced between open and flock: lock the new one
            continue
        with _held_lock:
            _held.add(fd)
        details = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "command": " ".join(sys.argv)[:300],
        }
        data = (json.dumps(details) + "\n").encode()
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        except OSError:
            log.warning("%s: could not write the holder's details into %s", database, path)
        return fd


def _read_holder(fd: int) -> str:
    for _ in range(_READ_TRIES):
        raw = os.pread(fd, 4096, 0).decode(errors="replace")
        if raw.strip():
            return raw
        time.sleep(0.01)
    return ""


class FileWatch:
    """Notices a database file deleted or replaced under a running app, and says so."""

    def __init__(self, path: Path, where: str) -> None:
        """Remember what is at ``path`` now (call it right after opening the database)."""
        self.path = path
        self.where = where
        self.opened = _identity(path)
        self.reported = self.opened

    def check(self, count_rows: Callable[[], int | None]) -> None:
        """Log at ERROR, once per change, when ``path`` no longer holds the opened file.

        ``count_rows()`` tells how many jobs the opened file holds, for the message.
        """
        try:
            now = _identity(self.path)
        except OSError:  # e.g. the directory became unreadable: nothing to conclude
            return
        if now == self.reported:
            return
        self.reported = now
        if now == self.opened:
            log.warning("%s: the database file %s is back in place", self.where, self.path)
            return
        live_rows = count_rows()
        rows = "" if live_rows is None else f" ({live_rows} stored job(s) in it now)"
        if now is None:
            log.error(
                "%s: the database file %s was deleted while the app runs. The app goes on "
                "writing to the deleted file%s, which disappears when the app stops: its "
                "jobs are lost at the next start. Stop the app and put the file back at %s "
                "(e.g. from a backup) before starting it again, or schedule the jobs again "
                "after the restart.",
                self.where, self.path, rows, self.path,
            )  # fmt: skip
        else:
            log.error(
                "%s: the database file %s was replaced by another file while the app runs. "
                "The app goes on using the file it opened%s, which is no longer at that path; "
                "the next start reads the new file, and the jobs of the old one are lost. "
                "Stop the app and put the right file at %s before starting it again.",
                self.where, self.path, rows, self.path,
            )  # fmt: skip
