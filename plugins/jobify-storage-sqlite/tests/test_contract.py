"""SQLiteStorage passes the storage contract suite, on a file and with a small queue."""

import pytest

from jobify.testing.contracts import StorageContract
from jobify_storage_sqlite import SQLiteStorage


class TestSQLiteContract(StorageContract):
    @pytest.fixture(
        params=[{}, {"max_queue_size": 7, "table_name": "order"}], ids=["defaults", "small-queue"]
    )
    def make_storage(self, tmp_path, request):
        return lambda: SQLiteStorage(tmp_path / "jobs.db", **request.param)
