"""Ctrl+C during ``wait_all()``: it returns normally, and the interrupt is raised after shutdown.

jobify 0.14 behaves so, and programs written for it log and shut down after
``await app.wait_all()`` when the user presses Ctrl+C.
"""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

__all__ = ("InterruptCatcher", "raise_interrupt")


class InterruptCatcher:
    """Turns SIGINT into the end of ``wait_all()`` while it waits."""

    __slots__ = ("caught", "loop", "previous", "wake")

    def __init__(self, loop: asyncio.AbstractEventLoop, wake: Callable[[], None]) -> None:
        self.loop = loop
        self.wake = wake
        self.caught = False
        self.previous: Any = None

    @classmethod
    def install(
        cls, loop: asyncio.AbstractEventLoop, wake: Callable[[], None]
    ) -> InterruptCatcher | None:
        """Catch SIGINT until :meth:`uninstall`; None where signals cannot be handled here."""
        if threading.current_thread() is not threading.main_thread():
            return None
        catcher = cls(loop, wake)
        try:
            catcher.previous = signal.signal(signal.SIGINT, catcher.on_sigint)
        except (ValueError, OSError):  # not the main interpreter's main thread
            return None
        return catcher

    def on_sigint(self, signum: int, frame: object) -> None:
        """The handler: remember the interrupt and end the wait."""
        del signum, frame
        self.caught = True
        self.loop.call_soon_threadsafe(self.wake)

    def uninstall(self) -> bool:
        """Put the previous SIGINT handler back; True when a SIGINT was caught."""
        if signal.getsignal(signal.SIGINT) == self.on_sigint:
            signal.signal(signal.SIGINT, self.previous)
        return self.caught


def raise_interrupt() -> None:
    """Deliver again the SIGINT a :class:`InterruptCatcher` caught."""
    signal.raise_signal(signal.SIGINT)
