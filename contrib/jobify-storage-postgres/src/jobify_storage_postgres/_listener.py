"""The connection that listens on the cluster's channel: :class:`Listener`.

One connection of its own (outside the pool) runs ``LISTEN <schema>_cluster``.
Two kinds of notice come on it: a change notice (``<writer> changed``, for
the change feed, ``_feed``) and a node's id when that node left the cluster
(its rows are adopted at once, not when its lease expires). A lost listening
connection is reopened at once, with backoff; meanwhile adoption falls back
on leases and the feed on the lease beat's reading of its counter.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from typing import Any

import asyncpg

from jobify_storage_postgres._connection import CONNECTION_ERRORS, RETRY_START
from jobify_storage_postgres._feed import changed_by
from jobify_storage_postgres._node import Node, Options, where

__all__ = ("Listener",)

log = logging.getLogger("jobify.storage.postgres")


class Listener:
    """The listening connection of one storage: opened, reopened, and its notices dispatched.

    ``noticed(writer)`` gets each change notice, ``changed()`` is called when
    the connection is open again (notices may have been lost), and ``wake()``
    wakes adoption (a node left, or the connection came back).
    """

    __slots__ = ("_changed", "_listen_task", "_listener", "_node", "_noticed", "_options", "_wake")

    def __init__(
        self,
        node: Node,
        options: Options,
        *,
        noticed: Callable[[str], None],
        changed: Callable[[], None],
        wake: Callable[[], None],
    ) -> None:
        self._node = node
        self._options = options
        self._noticed = noticed
        self._changed = changed
        self._wake = wake
        self._listener: Any = None
        self._listen_task: asyncio.Task[None] | None = None

    async def listen(self, _conn: Any) -> None:
        """Open a new listening connection (replacing the old one); ``_conn`` is unused."""
        o = self._options
        listener = await asyncpg.connect(
            o.dsn,
            timeout=o.command_timeout,
            command_timeout=o.command_timeout,
            server_settings={"application_name": self._node.application_name},
        )
        try:
            await listener.add_listener(o.channel, self._on_notice)
        except BaseException:
            listener.terminate()
            raise
        old, self._listener = self._listener, listener
        listener.add_termination_listener(self._on_listener_lost)
        if old is not None:
            old.terminate()

    async def ensure_listener(self) -> None:
        """Reconnect the listening connection if it was lost (adoption falls back on leases)."""
        if self._listen_task is None and (self._listener is None or self._listener.is_closed()):
            try:
                await self.listen(None)
            except CONNECTION_ERRORS as exc:
                log.debug(
                    "%s: cannot listen on %s yet: %s", where(self._options), self._options.channel,
                    exc,
                )  # fmt: skip

    def ensure_listening(self) -> None:
        """Open the listening connection in the background unless it is open or opening."""
        if self._listen_task is None and (self._listener is None or self._listener.is_closed()):
            self._listen_task = self._node.task(self._relisten(first=True), "listen")

    def _on_listener_lost(self, connection: Any) -> None:
        """The listening connection closed: reopen it at once, not at the next beat."""
        if connection is not self._listener or not self._node.running:
            return  # replaced, or closed by shutdown()
        if self._listen_task is None and self._node.loop is not None:
            log.warning(
                "%s: lost the connection listening on %s; reopening it",
                where(self._options),
                self._options.channel,
            )
            self._listen_task = self._node.task(self._relisten(), "listen")

    async def _relisten(self, *, first: bool = False) -> None:
        """(Re)open the listening connection with backoff; then run an adoption beat.

        A node that left while nobody listened is found by that beat: a leave
        ends the lease (``-infinity``), so its rows are adopted at once anyway.
        The change feed's watcher is called back too, for changes whose
        notices were lost. ``first``: the watch opens it; nothing was lost.
        """
        delay = RETRY_START
        try:
            while True:
                try:
                    await self.listen(None)
                except Exception as exc:  # kept trying until shutdown
                    log.debug(
                        "%s: cannot listen on %s yet: %s", where(self._options),
                        self._options.channel, exc,
                    )  # fmt: skip
                    await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311
                    delay = min(delay * 2, self._options.retry_max_delay)
                    continue
                if not first:
                    log.warning(
                        "%s: listening on %s again", where(self._options), self._options.channel
                    )
                self._wake()
                self._changed()
                return
        finally:
            self._listen_task = None

    def _on_notice(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        writer = changed_by(payload)
        if writer is not None:
            self._noticed(writer)  # the change feed (_feed)
        elif payload != self._node.node_id:
            self._wake()  # a node left: adopt its rows now, not when its lease expires

    def tasks(self) -> list[asyncio.Task[None]]:
        """The task (re)opening the connection, if one runs."""
        return [] if self._listen_task is None else [self._listen_task]

    def forget_tasks(self) -> None:
        """Drop the task (after the storage stopped it)."""
        self._listen_task = None

    def detach(self) -> Any:
        """Forget the listening connection and return it (None if none), for closing."""
        listener, self._listener = self._listener, None
        return listener
