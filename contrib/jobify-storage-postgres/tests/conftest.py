"""A real PostgreSQL server for every test here: ``JOBIFY_TEST_POSTGRES_DSN``, a schema per test.

``make test`` starts a throw-away server (scripts/with-postgres) and sets the
variable; without it the tests fail, naming it, rather than skip quietly.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jobify import JobStatus
from jobify.storage import ScheduledJob

DSN_VARIABLE = "JOBIFY_TEST_POSTGRES_DSN"
HERE = Path(__file__).resolve().parent
T0 = datetime(2030, 1, 1, tzinfo=UTC)  # the test modules' own T0 is the same instant


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


@contextlib.asynccontextmanager
async def _connection(dsn: str) -> AsyncIterator:
    """A connection of its own, outside any storage, closed on the way out."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        yield conn
    finally:
        await conn.close()


async def _sql(dsn: str, *statements: str) -> None:
    async with _connection(dsn) as conn:
        for statement in statements:
            await conn.execute(statement)


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


# --- helpers shared by the test modules, as fixtures (they cannot import this file) ---


@pytest.fixture
def row() -> Callable[..., ScheduledJob]:
    """Build a row due ``minutes`` after T0: ``row("id", 5, status=JobStatus.RUNNING)``."""

    def row(job_id: str, minutes: int = 0, status: JobStatus = JobStatus.SCHEDULED) -> ScheduledJob:
        return ScheduledJob(
            job_id, "mod:task", job_id.encode(), status, T0 + timedelta(minutes=minutes)
        )

    return row


@pytest.fixture
def started() -> Callable[..., Awaitable[dict[int, list[ScheduledJob]]]]:
    """Start (and join, unless ``join=False``) each storage.

    Returns a map of ``id(storage)`` to the rows it restored or adopted (joined ones only).
    """

    async def started(*storages, join: bool = True) -> dict[int, list[ScheduledJob]]:
        adopted: dict[int, list[ScheduledJob]] = {}
        for s in storages:
            await s.startup()
            if join:
                got: list[ScheduledJob] = []
                adopted[id(s)] = got

                async def adopt(rows, got=got):
                    got.extend(rows)

                got.extend(await s.join(adopt))
        return adopted

    return started


@pytest.fixture
def wait_for() -> Callable[..., Awaitable[float]]:
    """Poll ``predicate`` (returning a bool, or an awaitable of one) until true.

    Fails with TimeoutError after ``seconds``; returns the seconds it took.
    """

    async def wait_for(predicate: Callable[[], bool | Awaitable[bool]], seconds: float) -> float:
        async def check() -> bool:
            result = predicate()
            return await result if inspect.isawaitable(result) else result

        start = time.monotonic()
        async with asyncio.timeout(seconds):
            while not await check():
                await asyncio.sleep(0.01)
        return time.monotonic() - start

    return wait_for


@pytest.fixture
def terminate_backends(postgres_dsn: str) -> Callable[..., Awaitable[int]]:
    """Terminate every backend of a storage's connections; returns how many."""

    async def terminate_backends(storage) -> int:
        async with _connection(postgres_dsn) as conn:
            return await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = left($1, 63) AND pid <> pg_backend_pid()",
                storage.node_id,
            )

    return terminate_backends


@pytest.fixture
def listener_pids(postgres_dsn: str) -> Callable[..., Awaitable[list[int]]]:
    """The backends of a storage's listening connection (its last statement was LISTEN)."""

    async def listener_pids(storage) -> list[int]:
        async with _connection(postgres_dsn) as conn:
            return [
                r["pid"]
                for r in await conn.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = left($1, 63) "
                    "AND query ILIKE 'LISTEN %'",
                    storage.node_id,
                )
            ]

    return listener_pids


@pytest.fixture
def terminate_listener(postgres_dsn: str, listener_pids) -> Callable[..., Awaitable[int]]:
    """Terminate a storage's one listening backend; returns its pid."""

    async def terminate_listener(storage) -> int:
        [pid] = await listener_pids(storage)
        async with _connection(postgres_dsn) as conn:
            assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
        return pid

    return terminate_listener


@pytest.fixture
def rows_in_table(
    postgres_dsn: str,
) -> Callable[[str], Awaitable[dict[str, tuple[str | None, str]]]]:
    """``job_id -> (owner, status)`` of every row in a schema's table, read outside any storage."""

    async def rows_in_table(schema: str) -> dict[str, tuple[str | None, str]]:
        async with _connection(postgres_dsn) as conn:
            records = await conn.fetch(f'SELECT job_id, owner, status FROM "{schema}".jobs')  # noqa: S608
        return {r["job_id"]: (r["owner"], r["status"]) for r in records}

    return rows_in_table
