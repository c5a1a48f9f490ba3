"""The stdlib pools behind ``RunMode.THREAD`` and ``RunMode.PROCESS``.

``make_thread_pool`` builds a plain :class:`~concurrent.futures.ThreadPoolExecutor`.
``make_process_pool`` builds a :class:`ResilientProcessPool`: a
``ProcessPoolExecutor`` that outlives its workers. When a worker process dies
(killed, crashed, ``os._exit``), ``concurrent.futures`` marks the whole pool
broken and every later ``submit`` fails; this wrapper fails the affected jobs
with :class:`WorkerDiedError` and starts a fresh pool for the next submission.

Both factories check their options and say what to change; the kernel passes
the keys of ``[jobify.executors.thread]`` and ``[jobify.executors.process]``
as keyword arguments.
"""

from __future__ import annotations

import multiprocessing
import pickle
import sys
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING, Any, Final

from jobify.exceptions import BaseJobifyError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = (
    "ResilientProcessPool",
    "UnpicklableTaskError",
    "WorkerDiedError",
    "make_process_pool",
    "make_thread_pool",
)

DEFAULT_START_METHOD: Final = "spawn"
"""Safe with threads and a running event loop, and the same on every OS (see README)."""

_WINDOWS_MAX_WORKERS: Final = 61  # ProcessPoolExecutor's limit on Windows


class WorkerDiedError(BaseJobifyError, RuntimeError):
    """A worker process died while running, or waiting to run, a job's function.

    The pool has already been replaced: later submissions run normally.
    """

    def __init__(self, function: str) -> None:
        self.function = function
        super().__init__(
            f"the worker process for {function} died before returning (killed, crashed or "
            "called os._exit); jobs in the pool at that moment fail with this error. The "
            "pool was restarted, so later jobs run normally: retry the job (e.g. retry=...) "
            "if it is safe to run again"
        )


class UnpicklableTaskError(BaseJobifyError, TypeError):
    """A function sent to a process pool cannot be pickled."""

    def __init__(self, function: str, reason: str) -> None:
        self.function = function
        super().__init__(
            f"ResilientProcessPool.submit({function}): the function cannot be pickled "
            f"({reason}), so it cannot reach a worker process. Define it at module level "
            "(not a lambda, a nested function or a method of a local class) so that the "
            "worker can import it by name"
        )


def make_thread_pool(
    *, max_workers: int | None = None, thread_name_prefix: str = "jobify-worker"
) -> ThreadPoolExecutor:
    """Build the pool behind ``RunMode.THREAD`` (sync tasks by default).

    Args:
        max_workers: threads at most; None lets Python choose (``min(32, cpu + 4)``).
        thread_name_prefix: names the threads, e.g. ``jobify-worker_0``, for logs.

    Returns:
        A ``ThreadPoolExecutor``.

    Raises:
        TypeError: an option has the wrong type.
        ValueError: ``max_workers`` is less than 1.
    """
    _check_max_workers("make_thread_pool", max_workers)
    if not isinstance(thread_name_prefix, str):
        msg = (
            f"make_thread_pool(thread_name_prefix={thread_name_prefix!r}): expected a str, "
            f'got {type(thread_name_prefix).__name__}; e.g. thread_name_prefix = "jobify-worker"'
        )
        raise TypeError(msg)
    return ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=thread_name_prefix)


def make_process_pool(
    *,
    max_workers: int | None = None,
    mp_context: str = DEFAULT_START_METHOD,
    max_tasks_per_child: int | None = None,
) -> ResilientProcessPool:
    """Build the pool behind ``RunMode.PROCESS``.

    Args:
        max_workers: worker processes at most; None means ``os.cpu_count()``.
        mp_context: the multiprocessing start method: ``"spawn"`` (default),
            ``"forkserver"`` or ``"fork"`` (unsafe with threads; see README).
        max_tasks_per_child: replace each worker after this many jobs; None keeps
            workers for the pool's lifetime. Not available with ``"fork"``.

    Returns:
        A :class:`ResilientProcessPool`.

    Raises:
        TypeError: an option has the wrong type.
        ValueError: an option has a value the platform cannot use.
    """
    return ResilientProcessPool(
        max_workers=max_workers, mp_context=mp_context, max_tasks_per_child=max_tasks_per_child
    )


class ResilientProcessPool(Executor):
    """A process pool that replaces its ``ProcessPoolExecutor`` when a worker dies.

    Args:
        max_workers: worker processes at most; None means ``os.cpu_count()``.
        mp_context: the multiprocessing start method.
        max_tasks_per_child: replace each worker after this many jobs, or None.
    """

    def __init__(
        self,
        *,
        max_workers: int | None = None,
        mp_context: str = DEFAULT_START_METHOD,
        max_tasks_per_child: int | None = None,
    ) -> None:
        _check_process_options(max_workers, mp_context, max_tasks_per_child)
        self._max_workers = max_workers
        self._mp_context = mp_context
        self._max_tasks_per_child = max_tasks_per_child
        self._lock = threading.Lock()
        self._pool = self._new_pool()
        self._retired: list[ProcessPoolExecutor] = []
        self._restarts = 0
        self._closed = False

    @property
    def max_workers(self) -> int | None:
        """The ``max_workers`` option, as given."""
        return self._max_workers

    @property
    def mp_context(self) -> str:
        """The multiprocessing start method."""
        return self._mp_context

    @property
    def max_tasks_per_child(self) -> int | None:
        """The ``max_tasks_per_child`` option, as given."""
        return self._max_tasks_per_child

    @property
    def restarts(self) -> int:
        """How many times a broken pool was replaced by a fresh one."""
        return self._restarts

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(max_workers={self._max_workers!r}, "
            f"mp_context={self._mp_context!r}, "
            f"max_tasks_per_child={self._max_tasks_per_child!r})"
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` in a worker process.

        Args:
            fn: a module-level function (it is pickled by name).
            *args: positional arguments; they must be picklable.
            **kwargs: keyword arguments; they must be picklable.

        Returns:
            A future that fails with :class:`WorkerDiedError` if the worker dies.

        Raises:
            UnpicklableTaskError: ``fn`` cannot be pickled.
            RuntimeError: the pool was shut down.
        """
        _check_picklable(fn)
        with self._lock:
            if self._closed:
                msg = (
                    f"ResilientProcessPool.submit({_name(fn)}): the pool was shut down; "
                    "submit before shutdown() (the app shuts its pools down when it stops)"
                )
                raise RuntimeError(msg)
            try:
                inner = self._pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:
                # A worker died and the stdlib pool refuses work from now on.
                self._replace()
                inner = self._pool.submit(fn, *args, **kwargs)
        return _LinkedFuture(inner, _name(fn))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: FBT001, FBT002 - Executor's signature
        """Stop the pool; with ``wait`` return only after every worker process has exited.

        Args:
            wait: block until running jobs finish and the workers are joined.
            cancel_futures: cancel the jobs that have not started yet.
        """
        with self._lock:
            self._closed = True
            pools = [*self._retired, self._pool]
            self._retired.clear()
        for pool in pools:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._max_workers,
            mp_context=multiprocessing.get_context(self._mp_context),
            max_tasks_per_child=self._max_tasks_per_child,
        )

    def _replace(self) -> None:
        """Swap the broken pool for a fresh one; called with ``_lock`` held."""
        broken = self._pool
        self._pool = self._new_pool()
        self._restarts += 1
        broken.shutdown(wait=False)  # its manager thread reaps the workers
        self._retired.append(broken)  # joined by shutdown()


class _LinkedFuture(Future[Any]):
    """Mirrors a future of the current ``ProcessPoolExecutor``, naming a dead worker."""

    def __init__(self, inner: Future[Any], function: str) -> None:
        super().__init__()
        self._inner = inner
        self._function = function
        inner.add_done_callback(self._relay)

    def cancel(self) -> bool:
        # Succeeds only while the job waits; _relay then cancels this future.
        return self._inner.cancel()

    def running(self) -> bool:
        return self._inner.running()

    def _relay(self, inner: Future[Any]) -> None:
        if inner.cancelled():
            Future.cancel(self)
            return
        exc = inner.exception()
        if exc is None:
            self.set_result(inner.result())
        elif isinstance(exc, BrokenProcessPool):
            died = WorkerDiedError(self._function)
            died.__cause__ = exc
            self.set_exception(died)
        else:
            self.set_exception(exc)


# --- checks ---------------------------------------------------------------------


def _check_max_workers(where: str, max_workers: object) -> None:
    if max_workers is None:
        return
    if isinstance(max_workers, bool) or not isinstance(max_workers, int):
        msg = (
            f"{where}(max_workers={max_workers!r}): expected an int or None, got "
            f"{type(max_workers).__name__}; e.g. max_workers = 4"
        )
        raise TypeError(msg)
    if max_workers < 1:
        msg = (
            f"{where}(max_workers={max_workers!r}): must be 1 or more; leave it out to let "
            "Python choose"
        )
        raise ValueError(msg)


def _check_process_options(
    max_workers: object, mp_context: object, max_tasks_per_child: object
) -> None:
    where = "make_process_pool"
    _check_max_workers(where, max_workers)
    if (
        sys.platform == "win32"
        and isinstance(max_workers, int)
        and max_workers > _WINDOWS_MAX_WORKERS
    ):
        msg = (
            f"{where}(max_workers={max_workers!r}): Windows allows at most "
            f"{_WINDOWS_MAX_WORKERS} worker processes; use {_WINDOWS_MAX_WORKERS} or fewer"
        )
        raise ValueError(msg)
    methods = multiprocessing.get_all_start_methods()
    if not isinstance(mp_context, str):
        msg = (
            f"{where}(mp_context={mp_context!r}): expected a start method name, one of "
            f"{', '.join(map(repr, methods))}"
        )
        raise TypeError(msg)
    if mp_context not in methods:
        msg = (
            f"{where}(mp_context={mp_context!r}): not a start method on this platform; "
            f"use one of {', '.join(map(repr, methods))} ({DEFAULT_START_METHOD!r} is the "
            "default)"
        )
        raise ValueError(msg)
    if max_tasks_per_child is None:
        return
    if isinstance(max_tasks_per_child, bool) or not isinstance(max_tasks_per_child, int):
        msg = (
            f"{where}(max_tasks_per_child={max_tasks_per_child!r}): expected an int or None, "
            f"got {type(max_tasks_per_child).__name__}; e.g. max_tasks_per_child = 100"
        )
        raise TypeError(msg)
    if max_tasks_per_child < 1:
        msg = (
            f"{where}(max_tasks_per_child={max_tasks_per_child!r}): must be 1 or more; leave "
            "it out to keep workers for the pool's lifetime"
        )
        raise ValueError(msg)
    if mp_context == "fork":
        msg = (
            f"{where}(max_tasks_per_child={max_tasks_per_child!r}): not available with "
            "mp_context='fork'; use mp_context='spawn' or 'forkserver'"
        )
        raise ValueError(msg)


def _check_picklable(fn: Callable[..., Any]) -> None:
    try:
        ForkingPickler.dumps(fn)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise UnpicklableTaskError(_name(fn), str(exc)) from exc


def _name(fn: object) -> str:
    """Name a callable for messages: ``'module.qualname'``, else its repr."""
    qualname = getattr(fn, "__qualname__", None)
    module = getattr(fn, "__module__", None)
    if isinstance(qualname, str):
        return repr(f"{module}.{qualname}" if isinstance(module, str) else qualname)
    return repr(fn)
