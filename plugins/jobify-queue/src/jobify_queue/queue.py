"""What :class:`~jobify_queue.QueueMiddleware` puts in its queue, and the default queue.

An :class:`Item` is one job execution waiting for a worker: the rest of the
middleware chain (``call_next``), the job's context, the future the waiting
job awaits, and its priority. ``Item.priority`` is a heap key, as in the
reference implementation: it holds the *negated* ``metadata["priority"]`` of
the task, so the smallest ``Item.priority`` runs first and the largest task
priority wins.

Any object with ``async get()``, ``async put(item)`` and ``task_done()``
satisfies :class:`JobifyQueue`; ``asyncio.PriorityQueue()`` does (items
compare by priority), but orders equal priorities arbitrarily.
:class:`PriorityJobQueue`, the default, keeps them first in, first out.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from jobify import JobContext
    from jobify.middleware import CallNext

__all__ = ("Item", "JobifyQueue", "PriorityJobQueue")


class Item(NamedTuple):
    """One job execution waiting in the queue for a worker.

    Items order by ``priority`` alone (``<``, ``<=``, ``>``, ``>=``), so a
    heap-based queue pops the smallest key, the most urgent job, first.
    """

    call_next: CallNext
    """The rest of the middleware chain; a worker awaits ``call_next(context)``."""
    context: JobContext
    """The context of the job's execution."""
    future: asyncio.Future[Any]
    """Receives the result or exception; cancelled when the job is."""
    priority: float = 0
    """Heap key: the negated task priority (smaller runs first)."""

    def __lt__(self, other: tuple[Any, ...]) -> bool:
        if isinstance(other, Item):
            return self.priority < other.priority
        return NotImplemented

    def __le__(self, other: tuple[Any, ...]) -> bool:
        if isinstance(other, Item):
            return self.priority <= other.priority
        return NotImplemented

    def __gt__(self, other: tuple[Any, ...]) -> bool:
        if isinstance(other, Item):
            return self.priority > other.priority
        return NotImplemented

    def __ge__(self, other: tuple[Any, ...]) -> bool:
        if isinstance(other, Item):
            return self.priority >= other.priority
        return NotImplemented


class JobifyQueue(Protocol):
    """The queue :class:`~jobify_queue.QueueMiddleware` feeds and its workers drain.

    ``get`` decides the order in which waiting jobs start; ``put`` may wait
    (back-pressure) while the queue is full. Each ``get`` is matched by one
    ``task_done``. A ``get_nowait()`` that raises ``asyncio.QueueEmpty``
    when empty is optional: with it, shutdown cancels the items left behind.
    """

    async def get(self) -> Item:
        """Remove and return the next item, waiting until there is one."""
        ...

    async def put(self, item: Item) -> None:
        """Add ``item``, waiting while the queue is full."""
        ...

    def task_done(self) -> None:
        """Mark one item returned by ``get`` as processed."""
        ...


class PriorityJobQueue(asyncio.Queue[Item]):
    """The default queue: highest task priority first, first in first out among equals.

    A plain ``asyncio.PriorityQueue`` breaks ties by heap position, which
    reorders jobs of equal priority; here each entry carries a sequence
    number, so equal priorities leave in the order they arrived.

    Args:
        maxsize: items the queue holds at most; ``put`` waits while it is
            full. ``0`` means unbounded.
    """

    def _init(self, maxsize: int) -> None:  # asyncio.Queue's storage hooks
        self._queue: list[tuple[float, int, Item]] = []
        self._seq = itertools.count()

    def _put(self, item: Item) -> None:
        heapq.heappush(self._queue, (item.priority, next(self._seq), item))

    def _get(self) -> Item:
        return heapq.heappop(self._queue)[2]
