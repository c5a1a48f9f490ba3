"""The errors ``PostgresStorage`` raises (importable from the package and ``storage``)."""

from __future__ import annotations

from jobify.exceptions import BaseJobifyError

__all__ = ("PostgresSchemaError", "PostgresStorageError", "PostgresStorageStateError")


class PostgresStorageError(BaseJobifyError, RuntimeError):
    """PostgreSQL refused an operation for a reason other than a lost connection.

    A constraint, a permission or a syntax error, for example: retrying would
    not help, so every caller of the failed statement gets this error, with
    the ``asyncpg`` error as ``__cause__``.
    """


class PostgresSchemaError(PostgresStorageError):
    """The schema holds tables this version cannot use (a newer version's)."""


class PostgresStorageStateError(BaseJobifyError, RuntimeError):
    """The storage is not in the state the call needs (not started, shut down, joined)."""
