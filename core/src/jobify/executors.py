"""The executor contract behind ``RunMode.THREAD`` and ``RunMode.PROCESS``.

An executor plugin distribution registers factories under the names
``thread`` and ``process`` with ``jobify_register_executors``; each returns an
object shaped like ``concurrent.futures.Executor``. The kernel hands it to
``loop.run_in_executor`` and shuts down the executors it created when the app
stops. Without a ``thread`` executor, sync tasks use the event loop's default
thread pool; ``RunMode.PROCESS`` needs a plugin (``jobify-executor-pools``).

An executor may also be an :class:`InterruptibleExecutor`: one that can stop a
call that has already started. The kernel then stops the call of a job that
ends while it runs (its ``timeout`` expired, ``job.cancel()``, the app
stopped), so the call does not hold a worker after its job ended.

A factory may declare the attrs class of its options
(:func:`jobify.options.declare`); the app checks ``[jobify.executors.*]``
against it when it is assembled, although it builds the pool only when a
task first needs it.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ("Executor", "InterruptibleExecutor")


class Executor(Protocol):
    """What ``loop.run_in_executor`` needs of a pool."""

    @abstractmethod
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` on the pool."""

    @abstractmethod
    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: FBT001, FBT002
        """Stop the pool, as ``concurrent.futures.Executor.shutdown``."""


@runtime_checkable
class InterruptibleExecutor(Executor, Protocol):
    """An executor that can stop a call that has already started.

    ``Future.cancel()`` only stops a call that has not started, and a thread
    cannot be stopped from outside; a worker process can be ended. When a job
    whose call runs on such an executor is cancelled (its ``timeout``
    expired, ``job.cancel()``, app shutdown), the kernel calls
    :meth:`interrupt` with the future :meth:`submit` returned, so the call does
    not run on, holding a worker, after its job ended.

    The kernel checks for this ability once per pool (``isinstance``), when a
    task first meets the pool, never per job.
    """

    @abstractmethod
    def interrupt(self, future: Future[Any]) -> bool:
        """Stop the call behind ``future``, whether or not it has started.

        Called from the event loop's thread: return promptly. The future
        may end cancelled or failed; the kernel no longer reads it.

        Args:
            future: a future ``submit`` returned.

        Returns:
            Whether the call was stopped; False when it had finished already.
        """
