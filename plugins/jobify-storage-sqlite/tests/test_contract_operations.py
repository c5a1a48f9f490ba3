"""SQLiteStorage passes the operations suites: change feed, control, run history, kept outcomes.

Two storage objects on one file stand for two processes (a scheduler and a
producer or ``jobify jobs pause ID``); the file's own processes are in
tests/ (test_cli_control.py, reliability/test_operations.py).
"""

import pytest

from jobify.testing.contracts import OperationsStorageContract
from jobify_storage_sqlite import SQLiteStorage


class TestSQLiteOperations(OperationsStorageContract):
    @pytest.fixture(
        params=[{}, {"max_queue_size": 7, "table_name": "order"}], ids=["defaults", "small-queue"]
    )
    def options(self, request):
        return request.param

    @pytest.fixture
    def make_storage(self, tmp_path, options):
        return lambda: SQLiteStorage(tmp_path / "jobs.db", **options)
