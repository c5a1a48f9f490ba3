"""The connection pool of one ``PostgresStorage`` and the retries of what it sends.

Every operation of the storage runs as ``fn(connection)`` through
:meth:`Connection.retry`: a database that cannot be reached (a refused or
dropped connection, a server restarting, a timeout) is retried with
exponential backoff until it answers, with one warning per outage; a
deadlock or a serialization failure is run again; anything else PostgreSQL
refuses becomes :class:`PostgresStorageError` at once. The statements sent
by calls are counted by :meth:`Connection.round_trip`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from jobify_storage_postgres._errors import PostgresStorageError, PostgresStorageStateError
from jobify_storage_postgres._node import Node, Options, State, where

__all__ = ("CONNECTION_ERRORS", "RETRY_START", "TRANSIENT_ERRORS", "Connection", "mask")

log = logging.getLogger("jobify.storage.postgres")

RETRY_START: Final = 0.05
"""The first wait, in seconds, before an attempt is repeated (doubled up to ``retry_max_delay``)."""

# The database could not be reached: retried with backoff until it answers.
CONNECTION_ERRORS: Final = (
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, and a connection that is gone
    asyncpg.InterfaceError,  # the client side of a broken connection
    asyncpg.exceptions.InternalClientError,  # a protocol state left broken by a killed backend
    asyncpg.AdminShutdownError,  # pg_terminate_backend, server shutting down
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,  # server starting up or in recovery
    asyncpg.TooManyConnectionsError,
    OSError,  # refused, reset, unreachable
    TimeoutError,
)
# The statement was rolled back and may simply be run again (two nodes' batches).
TRANSIENT_ERRORS: Final = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)

T = TypeVar("T")


def mask(dsn: str) -> str:
    """Return ``dsn`` with its password replaced by ``***``, for messages and repr."""
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return "<unparsable dsn>"
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class Connection:
    """The pool (while started), the retry loop and the outage warnings of one storage."""

    __slots__ = ("_counts", "_in_outage", "_node", "_options", "_pool")

    def __init__(self, node: Node, options: Options, counts: dict[str, int]) -> None:
        self._node = node
        self._options = options
        self._counts = counts
        self._pool: Any = None
        self._in_outage = False

    @property
    def pool(self) -> Any:
        """The asyncpg pool while started, else None."""
        return self._pool

    async def open(self) -> None:
        """Open the pool, retrying until the database answers."""
        self._pool = await self.retry("startup", self._create_pool, pooled=False)

    async def _create_pool(self, _conn: None = None) -> Any:
        o = self._options
        return await asyncpg.create_pool(
            o.dsn,
            min_size=1,
            max_size=o.pool_size,
            command_timeout=o.command_timeout,
            timeout=o.command_timeout,  # connecting
            server_settings={"application_name": self._node.application_name},
        )

    def detach(self) -> Any:
        """Forget the pool and return it (None if there was none), for the caller to close."""
        pool, self._pool = self._pool, None
        return pool

    async def retry(
        self, what: str, fn: Callable[[Any], Awaitable[T]], *, pooled: bool = True
    ) -> T:
        """Run ``fn(connection)`` until it succeeds or fails for a reason retrying cannot fix."""
        at = where(self._options)
        delay = RETRY_START
        while True:
            if self._node.state is State.STOPPED or (pooled and self._pool is None):
                msg = f"{at}.{what}(): the storage was shut down"
                raise PostgresStorageStateError(msg)
            try:
                if pooled:
                    async with self._pool.acquire() as conn:
                        try:
                            result = await fn(conn)
                        except CONNECTION_ERRORS:
                            # the pool opens a fresh one (a connection the pool already
                            # took back when it broke refuses both calls)
                            with contextlib.suppress(asyncpg.InterfaceError):
                                if not conn.is_closed():
                                    conn.terminate()
                            raise
                else:
                    result = await fn(None)
            except asyncpg.exceptions.DataError as exc:  # a value asyncpg cannot encode
                error = PostgresStorageError(f"{at}.{what}(): {exc}")
                raise error from exc
            except CONNECTION_ERRORS as exc:
                if not self._in_outage:
                    self._in_outage = True
                    self._counts["outages"] += 1
                    log.warning(
                        "%s.%s(): the database cannot be reached (%s: %s); retrying until "
                        "it answers (%s)",
                        at,
                        what,
                        type(exc).__name__,
                        exc,
                        mask(self._options.dsn),
                    )
            except TRANSIENT_ERRORS as exc:
                log.debug("%s.%s(): %s; running it again", at, what, exc)
            except asyncpg.PostgresError as exc:
                error = PostgresStorageError(
                    f"{at}.{what}(): PostgreSQL refused it: {type(exc).__name__}: "
                    f"{exc}. See the asyncpg error above (the __cause__)"
                )
                raise error from exc
            else:
                if self._in_outage:
                    self._in_outage = False
                    log.warning("%s: the database answers again", at)
                return result
            self._counts["retries"] += 1
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
            delay = min(delay * 2, self._options.retry_max_delay)

    async def round_trip(self, conn: Any, method: str, sql: str, *args: Any) -> Any:
        """Send one statement on ``conn`` for a call, and count it."""
        self._counts["round_trips"] += 1
        return await getattr(conn, method)(sql, *args)
