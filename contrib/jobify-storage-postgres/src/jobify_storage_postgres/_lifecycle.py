"""Starting and stopping one ``PostgresStorage``: :class:`Lifecycle`.

Startup connects (retrying while the database cannot be reached), creates or
migrates the schema and acquires this node's lease, then starts the batches,
the lease beat and the adoption beat; a storage opened read-only only checks
the schema. Shutdown answers the pending calls, stops the tasks and leaves
the cluster within ``lease_seconds``, then closes the connections. The
tests' ``_abort`` (a crash) and ``_suspend`` / ``_resume`` (a paused
process) are here too, beside what they undo.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable

from jobify_storage_postgres._adoption import Adoption
from jobify_storage_postgres._claims import Claims
from jobify_storage_postgres._connection import CONNECTION_ERRORS, Connection
from jobify_storage_postgres._errors import PostgresStorageStateError
from jobify_storage_postgres._leases import Leases
from jobify_storage_postgres._listener import Listener
from jobify_storage_postgres._node import Node, Options, State, where
from jobify_storage_postgres._schema import SCHEMA_VERSION, found_layout, migrate, read_layout
from jobify_storage_postgres._writes import Writes

__all__ = ("Lifecycle",)

log = logging.getLogger("jobify.storage.postgres")


class Lifecycle:
    """Start, stop, abort, suspend and resume the parts of one storage, in order.

    ``describe()`` says where the storage looks (for a missing schema);
    ``on_start`` and ``on_close`` reset the storage's change-feed state.
    """

    __slots__ = (
        "_adoption", "_claims", "_connection", "_describe", "_leases", "_listener", "_node",
        "_on_close", "_on_start", "_options", "_writes",
    )  # fmt: skip

    def __init__(
        self,
        node: Node,
        options: Options,
        parts: tuple[Connection, Writes, Claims, Leases, Adoption, Listener],
        *,
        describe: Callable[[], str],
        on_start: Callable[[], None],
        on_close: Callable[[], None],
    ) -> None:
        self._node = node
        self._options = options
        (
            self._connection, self._writes, self._claims, self._leases, self._adoption,
            self._listener,
        ) = parts  # fmt: skip
        self._describe = describe
        self._on_start = on_start
        self._on_close = on_close

    async def start(self, *, read_only: bool) -> int:
        """Start the storage (see ``startup``); return the schema version it opened."""
        node = self._node
        at = where(self._options)
        if node.state is not State.NEW and node.state is not State.STOPPED:
            msg = (
                f"{at}.startup(): the storage is {node.state.value} already; "
                "call shutdown() before starting it again"
            )
            raise PostgresStorageStateError(msg)
        node.state = State.STARTING
        node.loop = asyncio.get_running_loop()
        node.node_id = None if read_only else self._new_node_id()
        node.adopt = None
        self._on_start()
        retry, schema = self._connection.retry, self._options.schema
        layout = SCHEMA_VERSION
        try:
            await self._connection.open()
            if read_only:
                stored = await retry(
                    "startup", lambda conn: read_layout(conn, self._options.schema)
                )
                layout = found_layout(
                    stored, schema=self._options.schema, where=at, described=self._describe()
                )
            else:
                await retry("startup", lambda conn: migrate(conn, schema, at))
                await self._leases.acquire()
        except BaseException:
            pool = self._connection.detach()
            if pool is not None:
                pool.terminate()
            node.state = State.NEW
            raise
        self._writes.start()
        self._claims.start()
        self._adoption.start()
        node.state = State.RUNNING
        if read_only:
            return layout  # no lease, no adoption: it only reads
        self._leases.start_trimming()
        self._leases.start_beat()
        self._adoption.start_beat()
        return layout

    def _new_node_id(self) -> str:
        parts = [socket.gethostname(), str(os.getpid()), secrets.token_hex(4)]
        if self._options.node_name is not None:
            parts.insert(0, self._options.node_name)
        return ":".join(parts)

    async def stop(self, *, read_only: bool) -> None:
        """Stop the storage (see ``shutdown``)."""
        node = self._node
        if node.state is not State.RUNNING:
            return
        node.state = State.STOPPING
        lease_seconds = self._options.lease_seconds
        deadline = asyncio.get_running_loop().time() + lease_seconds
        try:
            batches = (self._writes.batch, self._claims.batch)
            pending = [b.drain() for b in batches if b is not None]
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(deadline):
                    await asyncio.gather(*pending)
            failed = await self._stop_tasks()
            if failed:
                log.warning(
                    "%s: shutdown: %d call(s) still waiting for the database after %ss fail "
                    "with PostgresStorageStateError: not acknowledged (a write already on its "
                    "way may have committed or not)",
                    where(self._options),
                    failed,
                    lease_seconds,
                )
            try:
                if not read_only:
                    async with asyncio.timeout_at(deadline):
                        await self._connection.retry("shutdown", self._leases.leave)
            except TimeoutError:
                log.warning(
                    "%s: could not leave the cluster within %ss; node %s keeps its jobs and "
                    "the other nodes adopt them when its lease expires",
                    where(self._options),
                    lease_seconds,
                    node.node_id,
                )
        finally:
            await self._close(graceful=True)

    async def _stop_tasks(self) -> int:
        """Stop the lease beat and the batches; fail unanswered calls and return their count."""
        at = where(self._options)
        error = PostgresStorageStateError(f"{at}: the storage was shut down")
        failed = 0
        batches = (self._writes.batch, self._claims.batch)
        for batcher in batches:
            if batcher is not None:
                failed += batcher.cancel(error)
        tasks = [*self._leases.tasks(), *self._adoption.tasks(), *self._listener.tasks()]
        tasks += [b.flushing for b in batches if b and b.flushing]
        for task in tasks:
            task.cancel()
        if tasks:
            # A statement cancelled on a silent connection can keep its task in
            # asyncpg's clean-up for a long time: wait a little, not for ever
            # (the pool is terminated next, and the callers are answered already).
            _done, stuck = await asyncio.wait(tasks, timeout=1.0)
            if stuck:
                log.debug("%s: %d task(s) still stopping", at, len(stuck))
        self._leases.forget_tasks()
        self._adoption.forget_tasks()
        self._listener.forget_tasks()
        return failed

    async def _close(self, *, graceful: bool) -> None:
        listener = self._listener.detach()
        pool = self._connection.detach()
        if graceful:  # both at once, at most 2 s: then they are dropped
            closing = [c.close() for c in (listener, pool) if c is not None]
            with contextlib.suppress(*CONNECTION_ERRORS):
                async with asyncio.timeout(2):
                    await asyncio.gather(*closing, return_exceptions=True)
        if listener is not None:
            listener.terminate()
        if pool is not None:
            pool.terminate()
        self._node.state = State.STOPPED
        self._node.node_id = None
        self._on_close()

    async def abort(self) -> None:
        """Drop everything without leaving the cluster, as a crash would (for tests)."""
        if self._node.state not in (State.RUNNING, State.STOPPING):
            return
        self._node.state = State.STOPPING
        await self._stop_tasks()
        await self._close(graceful=False)

    async def suspend(self) -> None:
        """Stop renewing the lease and adopting, as a paused process would (for tests)."""
        tasks = [*self._leases.stop_beat(), *self._adoption.stop_beat()]
        await asyncio.gather(*tasks, return_exceptions=True)

    def resume(self) -> None:
        """Undo :meth:`suspend` (for tests)."""
        assert self._node.loop is not None  # noqa: S101 - started
        if self._node.state is State.RUNNING and not self._leases.beating:
            self._leases.start_beat()
            self._adoption.start_beat()
