"""SQLiteStorage passes the storage contract suite, on a file and with a small queue.

The crash test builds the storage in a subprocess from ``CrossProcessStorage``
and SIGKILLs it in the middle of a write burst.
"""

import pytest

from jobify.testing.contracts import CrossProcessStorage, StorageContract
from jobify_storage_sqlite import SQLiteStorage


class TestSQLiteContract(StorageContract):
    @pytest.fixture(
        params=[{}, {"max_queue_size": 7, "table_name": "order"}], ids=["defaults", "small-queue"]
    )
    def options(self, request):
        return request.param

    @pytest.fixture
    def make_storage(self, tmp_path, options):
        return lambda: SQLiteStorage(tmp_path / "jobs.db", **options)

    @pytest.fixture
    def cross_process_storage(self, tmp_path, options):
        kwargs = {"database": str(tmp_path / "jobs.db"), **options}
        return CrossProcessStorage("jobify_storage_sqlite:SQLiteStorage", kwargs)
