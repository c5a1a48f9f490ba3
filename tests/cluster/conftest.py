"""The cluster tests need the PostgreSQL server that ``make test`` starts (scripts/with-postgres).

``db_proxy`` puts a TCP proxy of the test's own between one node and the
server, so a test can cut that node off (its connections reset, new ones
refused) and heal it, without touching the server or the other nodes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

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


class CuttableProxy:
    """A TCP proxy to the server, on a loop in a thread of its own (the tests are sync).

    :meth:`cut` resets every connection through it and refuses new ones, as
    a partition or a stopped server would; :meth:`heal` listens again on the
    same port. Connections opened after the heal reach the server again.
    """

    def __init__(self, dsn: str) -> None:
        self._dsn = urlsplit(dsn)
        self.target = (self._dsn.hostname or "127.0.0.1", self._dsn.port or 5432)
        self.port = 0
        self.cuts = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def dsn(self) -> str:
        """The server's DSN with this proxy's address in place of the server's."""
        netloc = self._dsn.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        return urlunsplit(
            self._dsn._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host)
        )

    def start(self) -> None:
        self._thread.start()
        self._call(self._listen())

    def cut(self) -> None:
        """Reset every connection through the proxy and refuse new ones."""
        self._call(self._cut())
        self.cuts += 1

    def heal(self) -> None:
        """Accept connections again, on the same port."""
        self._call(self._listen())

    def close(self) -> None:
        if self._thread.is_alive():
            self._call(self._cut())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def _call(self, coro: object) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)  # type: ignore[arg-type]

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in self._pipes:
            writer.transport.abort()
        self._pipes.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._pipes.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._pipes.add(up_writer)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.ensure_future(pump(src, dst))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


@pytest.fixture
def db_proxy(postgres_dsn: str) -> Iterator[CuttableProxy]:
    """A started :class:`CuttableProxy` to the test server, closed after the test."""
    proxy = CuttableProxy(postgres_dsn)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
