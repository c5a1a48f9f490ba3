"""A real PostgreSQL server for every test here: ``JOBIFY_TEST_POSTGRES_DSN``, a schema per test.

``make test`` starts a throw-away server (scripts/with-postgres) and sets the
variable; without it the tests fail, naming it, rather than skip quietly.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

import pytest

DSN_VARIABLE = "JOBIFY_TEST_POSTGRES_DSN"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.external_service)


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    dsn = os.environ.get(DSN_VARIABLE)
    if not dsn:
        pytest.fail(
            f"{DSN_VARIABLE} is not set: these tests need a PostgreSQL server. Run them with "
            "`make test` (it starts one), or set "
            f"{DSN_VARIABLE}=postgresql://user@host:port/db yourself",
            pytrace=False,
        )
    return dsn


async def _sql(dsn: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
def schema(postgres_dsn: str):
    """A fresh schema name for one test, dropped (CASCADE) afterwards."""
    name = f"t_{secrets.token_hex(6)}"
    yield name
    asyncio.run(_sql(postgres_dsn, f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


@pytest.fixture
def make(postgres_dsn: str, schema: str):
    """Build storages (nodes) on the test's schema: ``make(lease_seconds=1)``."""
    from jobify_storage_postgres import PostgresStorage

    def make(**options) -> PostgresStorage:
        return PostgresStorage(postgres_dsn, schema=schema, **options)

    return make
