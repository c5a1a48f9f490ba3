"""Back-pressure for the calls of one started storage (``max_queue_size``)."""

from __future__ import annotations

import asyncio
import collections

__all__ = ("Slots",)


class Slots:
    """Back-pressure: a FIFO count of queue places whose release is O(1) however many wait.

    ``asyncio.Semaphore`` of Python 3.11 rescans the waiters it already woke
    on every release, so settling a batch of a burst of 10,000 pushes cost
    a quadratic number of ``done()`` calls (most of the burst's CPU time).
    A released place goes straight to the first live waiter.
    """

    __slots__ = ("free", "loop", "waiters")

    def __init__(self, loop: asyncio.AbstractEventLoop, places: int) -> None:
        self.loop = loop
        self.free = places
        self.waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self) -> None:
        """Take a place, waiting in line while none is free."""
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return
        place = self.loop.create_future()
        self.waiters.append(place)
        try:
            await place
        except asyncio.CancelledError:
            if place.done() and not place.cancelled():  # given a place, then cancelled
                self.release()
            raise

    def release(self) -> None:
        """Give a place back: to the first waiter still waiting, else to the free count."""
        waiters = self.waiters
        while waiters:
            place = waiters.popleft()
            if not place.done():
                place.set_result(None)
                return
        self.free += 1
