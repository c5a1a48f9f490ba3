"""The executor contract behind ``RunMode.THREAD`` and ``RunMode.PROCESS``.

An executor plugin distribution registers factories under the names
``thread`` and ``process`` with ``jobify_register_executors``; each returns an
object shaped like ``concurrent.futures.Executor``. The kernel hands it to
``loop.run_in_executor`` and shuts down the executors it created when the app
stops. Without a ``thread`` executor, sync tasks use the event loop's default
thread pool; ``RunMode.PROCESS`` needs a plugin (``jobify-executor-pools``).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ("Executor",)


class Executor(Protocol):
    """What ``loop.run_in_executor`` needs of a pool."""

    @abstractmethod
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` on the pool."""

    @abstractmethod
    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: FBT001, FBT002
        """Stop the pool, as ``concurrent.futures.Executor.shutdown``."""
