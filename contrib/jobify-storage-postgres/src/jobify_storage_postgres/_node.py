"""What the parts of one ``PostgresStorage`` share about the node it is: :class:`Node`.

The storage's parts (the connection, the batches, the lease, adoption, the
listening connection) are separate objects; each is given the one
:class:`Node` of its storage, which says where the storage is in its
lifecycle, which event loop it runs on, this node's id and its lease: the
epoch and when the lease was last sent. The lease (``_leases``) changes the
epoch; the other parts read it.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol

from jobify.storage import ScheduledJob
from jobify_storage_postgres._errors import PostgresStorageStateError

__all__ = ("Adopt", "Node", "Options", "State", "cancelled", "where")

Adopt = Callable[[Sequence[ScheduledJob]], Awaitable[None]]
"""The kernel's callback that takes over rows (``join``'s ``adopt``)."""


class Options(Protocol):
    """The storage's options, read by its parts when they use them (the storage itself)."""

    @property
    def dsn(self) -> str: ...
    @property
    def schema(self) -> str: ...
    @property
    def node_name(self) -> str | None: ...
    @property
    def lease_seconds(self) -> float: ...
    @property
    def retry_max_delay(self) -> float: ...
    @property
    def pool_size(self) -> int: ...
    @property
    def command_timeout(self) -> float: ...
    @property
    def channel(self) -> str: ...


def where(options: Options) -> str:
    """The storage as messages name it: ``PostgresStorage(schema 'jobify')``."""
    return f"PostgresStorage(schema {options.schema!r})"


def cancelled(task: asyncio.Task[None] | None) -> list[asyncio.Task[None]]:
    """Cancel ``task`` if there is one; return it in a list, for the caller to wait for."""
    if task is None:
        return []
    task.cancel()
    return [task]


class State(enum.Enum):
    """Where a storage is in its lifecycle; the value is how messages say it."""

    NEW = "not started"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "shutting down"
    STOPPED = "shut down"


class Node:
    """This storage as a node: its state, loop, id and lease, shared by its parts.

    Attributes:
        state: where the storage is in its lifecycle.
        loop: the event loop that ran ``startup()`` (None before).
        node_id: this node's id while started (None before, after, and for
            a storage opened with ``read_only()``).
        epoch: this node's lease epoch (new at startup and at each re-join).
        renewed_at: loop time the lease was last sent (acquired or renewed).
        adopt: the kernel's callback once the node joined, else None.
    """

    __slots__ = ("adopt", "epoch", "loop", "node_id", "renewed_at", "state")

    def __init__(self) -> None:
        self.state = State.NEW
        self.loop: asyncio.AbstractEventLoop | None = None
        self.node_id: str | None = None
        self.epoch = 0
        self.renewed_at = 0.0
        self.adopt: Adopt | None = None

    @property
    def running(self) -> bool:
        return self.state is State.RUNNING

    @property
    def application_name(self) -> str:
        """What ``pg_stat_activity`` shows for this node's connections."""
        return (self.node_id or "jobify")[:63]

    def check_running(self, what: str, options: Options) -> None:
        """Refuse the call ``what`` (``"claim"``) unless the storage runs, on this loop.

        Raises:
            PostgresStorageStateError: not running, or called from another loop.
        """
        state = self.state
        if state is State.RUNNING:
            if asyncio.get_running_loop() is not self.loop:
                msg = (
                    f"{where(options)}.{what}(): called from another event loop than the one "
                    "that ran startup(); use the storage from one loop"
                )
                raise PostgresStorageStateError(msg)
            return
        if state is State.NEW:
            fix = "call `await storage.startup()` first (an app does it in `async with app`)"
        else:
            fix = "call `await storage.startup()` to use it again"
        msg = f"{where(options)}.{what}(): the storage is {state.value}; {fix}"
        raise PostgresStorageStateError(msg)

    def time(self) -> float:
        """The loop's clock (the storage is started)."""
        assert self.loop is not None  # noqa: S101 - started
        return self.loop.time()

    def task(self, coro: Coroutine[Any, Any, None], kind: str) -> asyncio.Task[None]:
        """Run ``coro`` in a task named ``jobify-postgres-<kind>:<node id>``."""
        assert self.loop is not None  # noqa: S101 - started
        return self.loop.create_task(coro, name=f"jobify-postgres-{kind}:{self.node_id}")
