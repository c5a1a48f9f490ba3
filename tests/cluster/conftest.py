"""The cluster tests need the PostgreSQL server that ``make test`` starts (scripts/with-postgres)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """The DSN of the test server; a missing one fails the test instead of skipping it."""
    dsn = os.environ.get("JOBIFY_TEST_POSTGRES_DSN")
    if not dsn:
        pytest.fail(
            "JOBIFY_TEST_POSTGRES_DSN is not set: run the suite with `make test` (it starts a "
            "throwaway PostgreSQL server), or set it to a server's URL, or deselect with "
            "-m 'not external_service'"
        )
    return dsn
