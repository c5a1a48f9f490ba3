"""jobify's default storage: durable jobs in one SQLite file.

:class:`SQLiteStorage` is registered as ``sqlite`` (the default storage) and is
also importable as ``from jobify.storage import SQLiteStorage``. All disk I/O
runs on one worker thread per storage; concurrent writes are group-committed.
It also offers the abilities that operate a scheduler: a change feed, control
flags, run history and kept outcomes.
:meth:`SQLiteStorage.statistics` returns a :class:`SQLiteStatistics` snapshot.

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_storage_sqlite._hooks``, does not import sqlite3.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_storage_sqlite.storage import SCHEMA_VERSION as SCHEMA_VERSION
    from jobify_storage_sqlite.storage import SQLiteStatistics as SQLiteStatistics
    from jobify_storage_sqlite.storage import SQLiteStorage as SQLiteStorage
    from jobify_storage_sqlite.storage import SQLiteStorageError as SQLiteStorageError
    from jobify_storage_sqlite.storage import SQLiteStorageStateError as SQLiteStorageStateError

__all__ = (
    "SCHEMA_VERSION",
    "SQLiteStatistics",
    "SQLiteStorage",
    "SQLiteStorageError",
    "SQLiteStorageStateError",
)


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("jobify_storage_sqlite.storage"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
