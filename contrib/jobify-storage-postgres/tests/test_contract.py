"""PostgresStorage passes the storage contract suite, the cluster one and the operations ones.

The crash test builds the storage in a subprocess from ``CrossProcessStorage``
and SIGKILLs it in the middle of a write burst. The cluster suite runs with a
one-second lease, so a killed node's rows are adopted within about 1.33 s; a
stalled node stops renewing and adopting (as a paused process) until its lease
has run out on the database clock.
"""

import asyncio
import contextlib

import asyncpg
import pytest

from jobify.testing.contracts import (
    ClusterStorageContract,
    CrossProcessStorage,
    OperationsStorageContract,
)
from jobify_storage_postgres import PostgresStorage

LEASE_SECONDS = 1.0


class TestPostgresContract(ClusterStorageContract):
    @pytest.fixture
    def make_storage(self, postgres_dsn, schema):
        return lambda: PostgresStorage(postgres_dsn, schema=schema, lease_seconds=LEASE_SECONDS)

    @pytest.fixture
    def cross_process_storage(self, postgres_dsn, schema):
        kwargs = {"dsn": postgres_dsn, "schema": schema}
        return CrossProcessStorage("jobify_storage_postgres:PostgresStorage", kwargs)

    @pytest.fixture
    def kill(self):
        async def kill(storage: PostgresStorage) -> None:
            # no more renewals, connections dropped without a word, no leave
            await storage._abort()

        return kill

    @pytest.fixture
    def stall(self, postgres_dsn, schema):
        @contextlib.asynccontextmanager
        async def stall(storage: PostgresStorage):
            await storage._suspend()
            try:
                conn = await asyncpg.connect(postgres_dsn)
                try:
                    async with asyncio.timeout(LEASE_SECONDS * 3 + 10):
                        while not await conn.fetchval(
                            f'SELECT lease_until < now() FROM "{schema}".nodes '  # noqa: S608
                            "WHERE node_id = $1",
                            storage.node_id,
                        ):
                            await asyncio.sleep(0.05)
                finally:
                    await conn.close()
                yield
            finally:
                storage._resume()

        return stall

    @pytest.fixture
    def adoption_timeout(self):
        return LEASE_SECONDS * 4 / 3 + 3.0


class TestPostgresOperations(OperationsStorageContract):
    """The change feed, control flags, run history and kept outcomes.

    Two storage objects on one schema stand for two processes (a scheduler
    and a producer, or ``jobify jobs pause ID``), as two nodes would be.
    """

    @pytest.fixture
    def make_storage(self, postgres_dsn, schema):
        return lambda: PostgresStorage(postgres_dsn, schema=schema, lease_seconds=LEASE_SECONDS)
