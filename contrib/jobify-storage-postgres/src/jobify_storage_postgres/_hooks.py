"""Hook implementations of jobify-storage-postgres: the ``postgres`` storage.

Only ``jobify.hookspecs`` is imported here; asyncpg and the storage module are
imported when an app selects the storage (``[jobify.storage] use = "postgres"``).
The storage is not the default: the default stays the single-file SQLite one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobify.hookspecs import hookimpl

if TYPE_CHECKING:
    from jobify.hookspecs import Register
    from jobify.storage import Storage

__all__ = ("jobify_register_storages",)

JOBIFY_CONTRACT_TESTS = "tests/test_contract.py"
"""Where this distribution runs its capability's suite from ``jobify.testing.contracts``."""


@hookimpl
def jobify_register_storages(register: Register[Storage]) -> None:
    """Offer ``[jobify.storage] use = "postgres"``, a storage several nodes share."""
    register("postgres", "jobify_storage_postgres.storage:PostgresStorage")
