"""A jobify storage that several app processes (nodes) share, in PostgreSQL.

:class:`PostgresStorage` is registered as ``postgres`` and implements
:class:`jobify.storage.ClusterStorage`: each durable run is claimed by one
node, and the jobs of a node that dies or leaves are adopted by the others.
It has the abilities that operate a scheduler too (``ChangeFeed``,
``ControlStorage``, ``HistoryStorage``, ``ResultStorage``,
``InspectableStorage``) and lists its nodes (``ClusterView``).
:meth:`PostgresStorage.statistics` returns a :class:`PostgresStatistics`
snapshot.

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_storage_postgres._hooks``, does not import asyncpg.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_storage_postgres.storage import SCHEMA_VERSION as SCHEMA_VERSION
    from jobify_storage_postgres.storage import PostgresSchemaError as PostgresSchemaError
    from jobify_storage_postgres.storage import PostgresStatistics as PostgresStatistics
    from jobify_storage_postgres.storage import PostgresStorage as PostgresStorage
    from jobify_storage_postgres.storage import PostgresStorageError as PostgresStorageError
    from jobify_storage_postgres.storage import (
        PostgresStorageStateError as PostgresStorageStateError,
    )

__all__ = (
    "SCHEMA_VERSION",
    "PostgresSchemaError",
    "PostgresStatistics",
    "PostgresStorage",
    "PostgresStorageError",
    "PostgresStorageStateError",
)


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("jobify_storage_postgres.storage"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
