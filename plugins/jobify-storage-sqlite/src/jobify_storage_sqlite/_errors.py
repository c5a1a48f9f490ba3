"""The storage's two error types, and how a ``sqlite3`` error becomes one that names its fix.

Every failure the worker thread hands back to a caller goes through
:func:`storage_error`, so the message always has the same shape: the storage,
the call, the ``sqlite3`` error, then what to do about it. The classes are
public (exported by :mod:`jobify_storage_sqlite`) and present themselves as
members of :mod:`jobify_storage_sqlite.storage`, their documented home, in
tracebacks and pickles.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jobify.exceptions import BaseJobifyError

__all__ = ("SQLiteStorageError", "SQLiteStorageStateError", "storage_error")

_PUBLIC_MODULE = "jobify_storage_sqlite.storage"


class SQLiteStorageError(BaseJobifyError, OSError):
    """A SQLite operation failed; the ``sqlite3`` error is the ``__cause__``.

    The message names the database file, the table and the call, then the
    fix. Every caller whose operation was in the failed transaction gets one.
    """

    __module__ = _PUBLIC_MODULE


class SQLiteStorageStateError(BaseJobifyError, RuntimeError):
    """The storage is not in the state the call needs.

    Raised for a call before :meth:`SQLiteStorage.startup`, after
    :meth:`SQLiteStorage.shutdown`, on a second ``startup`` and from another
    event loop than the one that started the storage.
    """

    __module__ = _PUBLIC_MODULE


def storage_error(
    exc: BaseException, *, where: str, what: str, timeout: float, database: Path
) -> BaseException:
    """``exc`` as the caller of ``what`` gets it: a ``sqlite3`` error is wrapped with its fix."""
    if isinstance(exc, SQLiteStorageError) or not isinstance(exc, sqlite3.Error):
        return exc
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        fix = (
            f"another connection held a write lock for more than timeout={timeout}s; "
            "stop the other writer or raise timeout"
        )
    elif "readonly" in lowered or "read-only" in lowered:
        fix = "make the file, its -wal/-shm files and its directory writable"
    elif "unable to open" in lowered:
        fix = f"check that the directory of {str(database)!r} exists and is writable"
    elif "no such table" in lowered:
        fix = "the table was dropped behind the storage's back; restart the app to recreate it"
    elif "not a database" in lowered or "malformed" in lowered:
        fix = "the file is not a healthy SQLite database; restore it or use another file"
    else:
        fix = "see the sqlite3 error above (the __cause__)"
    error = SQLiteStorageError(f"{where}.{what}(): {type(exc).__name__}: {text}. {fix}")
    error.__cause__ = exc
    return error
