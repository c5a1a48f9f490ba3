"""Hook implementations of jobify-storage-sqlite: the ``sqlite`` storage (the default).

Only ``jobify.hookspecs`` is imported here; sqlite3 and the storage module are
imported when an app selects the storage (``[jobify.storage] use = "sqlite"``,
or no choice at all, since it is the default).
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
    """Offer ``[jobify.storage] use = "sqlite"``, the default storage."""
    register("sqlite", "jobify_storage_sqlite.storage:SQLiteStorage", default=True)
