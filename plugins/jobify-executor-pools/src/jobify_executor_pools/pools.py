"""The stdlib pools behind ``RunMode.THREAD`` and ``RunMode.PROCESS``.

``make_thread_pool`` builds a plain :class:`~concurrent.futures.ThreadPoolExecutor`.
``make_process_pool`` builds a :class:`ResilientProcessPool`, whose worker
processes can die, or be ended, one at a time:

* each worker is a one-process ``ProcessPoolExecutor`` (a *slot*) that runs one
  call at a time; calls wait in the pool, first in first out, for a free slot.
  A worker that dies (killed, crashed, ``os._exit``) fails only the call it was
  running, with :class:`WorkerDiedError`, and its slot gets a fresh worker. (A
  plain ``ProcessPoolExecutor`` fails every running and queued call then, and
  refuses every later one.)
* :meth:`ResilientProcessPool.interrupt` ends the worker running a call; the
  kernel calls it when the job's ``timeout`` expires or the job is cancelled
  (see :class:`jobify.executors.InterruptibleExecutor`), so a call past its
  timeout does not go on holding a worker while later jobs wait.
* A slot starts a worker only when it has none (or, for
  ``max_tasks_per_child``, from its own manager thread), so no worker is ever
  started while its executor tears down after a death. Python 3.11's
  ``ProcessPoolExecutor`` can start one in ``submit()`` at that moment; nothing
  joins or stops that worker, and the interpreter hangs at exit waiting for it.

The options are the fields of :class:`ThreadPoolOptions` and
:class:`ProcessPoolOptions`, checked with :mod:`jobify.options`; the factories
declare them, so an app checks ``[jobify.executors.*]`` when it is assembled
(and ``jobify check`` with it), not when a task first needs the pool.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import pickle
import sys
import threading
from collections import deque
from concurrent.futures import (
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING, Any, Final

import attrs

from jobify import options
from jobify.exceptions import BaseJobifyError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = (
    "ProcessPoolOptions",
    "ResilientProcessPool",
    "ThreadPoolOptions",
    "UnpicklableTaskError",
    "WorkerDiedError",
    "make_process_pool",
    "make_thread_pool",
)

DEFAULT_START_METHOD: Final = "spawn"
"""Safe with threads and a running event loop, and the same on every OS (see README)."""

_WINDOWS_MAX_WORKERS: Final = 61  # ProcessPoolExecutor's limit on Windows
_KILL_RETRY: Final = 0.05  # seconds: a slot between two workers (max_tasks_per_child)


class WorkerDiedError(BaseJobifyError, RuntimeError):
    """A worker process died while running a job's function.

    Only that job fails; the worker has already been replaced, so later
    submissions run normally.
    """

    def __init__(self, function: str) -> None:
        self.function = function
        super().__init__(
            f"the worker process for {function} died before returning (killed, crashed or "
            "called os._exit); the job fails with this error. Its worker was replaced, so "
            "later jobs run normally: retry the job (e.g. retry=...) if it is safe to run again"
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


# --- options ---------------------------------------------------------------------


def _windows_limit(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if sys.platform == "win32" and isinstance(value, int) and value > _WINDOWS_MAX_WORKERS:
        problem = (
            f"Windows allows at most {_WINDOWS_MAX_WORKERS} worker processes; use "
            f"{_WINDOWS_MAX_WORKERS} or fewer"
        )
        raise options.fail(type(inst).__name__, attribute.name, value, problem)


def _not_with_fork(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and inst.mp_context == "fork":
        problem = "not available with mp_context='fork'; use mp_context='spawn' or 'forkserver'"
        raise options.fail(type(inst).__name__, attribute.name, value, problem)


@attrs.frozen(kw_only=True)
class ThreadPoolOptions:
    """The options of ``[jobify.executors.thread]``, taken by :func:`make_thread_pool`.

    Args:
        max_workers: threads at most; None lets Python choose (``min(32, cpu + 4)``).
        thread_name_prefix: names the threads, e.g. ``jobify-worker_0``, for logs.
    """

    max_workers: int | None = attrs.field(
        default=None,
        validator=options.optional(options.positive_int(fix="leave it out to let Python choose")),
    )
    thread_name_prefix: str = attrs.field(
        default="jobify-worker", validator=options.text(example="jobify-worker")
    )


@attrs.frozen(kw_only=True)
class ProcessPoolOptions:
    """The options of ``[jobify.executors.process]``, taken by :func:`make_process_pool`.

    Args:
        max_workers: worker processes at most; None means ``os.cpu_count()``.
        mp_context: the multiprocessing start method: ``"spawn"`` (default),
            ``"forkserver"`` or ``"fork"`` (unsafe with threads; see README).
        max_tasks_per_child: replace each worker after this many jobs; None keeps
            workers for the pool's lifetime. Not available with ``"fork"``.
    """

    max_workers: int | None = attrs.field(
        default=None,
        validator=[
            options.optional(options.positive_int(fix="leave it out for one per CPU")),
            _windows_limit,
        ],
    )
    mp_context: str = attrs.field(
        default=DEFAULT_START_METHOD,
        validator=options.one_of(
            multiprocessing.get_all_start_methods(),
            noun="a start method name",
            fix=f"{DEFAULT_START_METHOD!r} is the default",
        ),
    )
    max_tasks_per_child: int | None = attrs.field(
        default=None,
        validator=[
            options.optional(
                options.positive_int(fix="leave it out to keep workers for the pool's lifetime")
            ),
            _not_with_fork,
        ],
    )


# --- factories -------------------------------------------------------------------


@options.declare(ThreadPoolOptions)
def make_thread_pool(
    *, max_workers: int | None = None, thread_name_prefix: str = "jobify-worker"
) -> ThreadPoolExecutor:
    """Build the pool behind ``RunMode.THREAD`` (sync tasks by default).

    Args:
        max_workers: see :class:`ThreadPoolOptions`.
        thread_name_prefix: see :class:`ThreadPoolOptions`.

    Returns:
        A ``ThreadPoolExecutor``.

    Raises:
        jobify.options.OptionTypeError: an option has the wrong type.
        jobify.options.OptionValueError: ``max_workers`` is less than 1.
    """
    checked = ThreadPoolOptions(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
    return ThreadPoolExecutor(
        max_workers=checked.max_workers, thread_name_prefix=checked.thread_name_prefix
    )


@options.declare(ProcessPoolOptions)
def make_process_pool(
    *,
    max_workers: int | None = None,
    mp_context: str = DEFAULT_START_METHOD,
    max_tasks_per_child: int | None = None,
) -> ResilientProcessPool:
    """Build the pool behind ``RunMode.PROCESS``.

    Args:
        max_workers: see :class:`ProcessPoolOptions`.
        mp_context: see :class:`ProcessPoolOptions`.
        max_tasks_per_child: see :class:`ProcessPoolOptions`.

    Returns:
        A :class:`ResilientProcessPool`.

    Raises:
        jobify.options.OptionTypeError: an option has the wrong type.
        jobify.options.OptionValueError: an option has a value the platform cannot use.
    """
    return ResilientProcessPool(
        ProcessPoolOptions(
            max_workers=max_workers,
            mp_context=mp_context,
            max_tasks_per_child=max_tasks_per_child,
        )
    )


# --- the process pool ------------------------------------------------------------


class _Call:
    """A submitted call and the future handed back for it."""

    __slots__ = ("args", "fn", "future", "kwargs")

    def __init__(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.future: Future[Any] = Future()


class _Slot:
    """One worker process: a one-process executor, running one call at a time."""

    __slots__ = ("executor", "inner", "interrupted")

    def __init__(self, executor: ProcessPoolExecutor) -> None:
        self.executor = executor
        self.inner: Future[Any] | None = None  # the executor's future of the running call
        self.interrupted = False


class ResilientProcessPool(Executor):
    """A process pool that replaces a worker that dies, and ends one on request.

    Args:
        config: the options; or give them as keywords (``max_workers=2``).
        **kwargs: the fields of :class:`ProcessPoolOptions`, without ``config``.

    Attributes:
        options: the checked options.
    """

    def __init__(self, config: ProcessPoolOptions | None = None, /, **kwargs: Any) -> None:
        if config is not None and kwargs:
            msg = "ResilientProcessPool(): pass a ProcessPoolOptions or keyword options, not both"
            raise TypeError(msg)
        self.options = config if config is not None else ProcessPoolOptions(**kwargs)
        self._context = multiprocessing.get_context(self.options.mp_context)
        self._size = self.options.max_workers or os.cpu_count() or 1
        self._lock = threading.RLock()  # a future's callbacks may run where it is held
        self._changed = threading.Condition(self._lock)
        self._waiting: deque[_Call] = deque()
        self._idle: list[_Slot] = []
        self._running: dict[Future[Any], _Slot] = {}
        self._slots = 0
        self._retired: list[ProcessPoolExecutor] = []
        self._restarts = 0
        self._closed = False

    @property
    def mp_context(self) -> str:
        """The multiprocessing start method."""
        return self.options.mp_context

    @property
    def restarts(self) -> int:
        """How many workers were replaced after dying or being ended."""
        return self._restarts

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in attrs.asdict(self.options).items())
        return f"{type(self).__name__}({given})"

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
        call = _Call(fn, args, kwargs)
        with self._lock:
            if self._closed:
                msg = (
                    f"ResilientProcessPool.submit({_name(fn)}): the pool was shut down; "
                    "submit before shutdown() (the app shuts its pools down when it stops)"
                )
                raise RuntimeError(msg)
            self._waiting.append(call)
            self._dispatch()
        return call.future

    def interrupt(self, future: Future[Any]) -> bool:
        """Stop the call behind ``future``: cancel it if it waits, else end its worker.

        The worker is replaced; the future fails with ``CancelledError``. This
        is :class:`jobify.executors.InterruptibleExecutor`'s ability.

        Args:
            future: a future :meth:`submit` returned.

        Returns:
            Whether the call was stopped (False if it had finished already).
        """
        if future.cancel():
            return True
        with self._lock:
            slot = self._running.get(future)
            if slot is None or slot.interrupted:
                return False
            slot.interrupted = True
            self._end_worker(slot)
            return True

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: FBT001, FBT002 - Executor's signature
        """Stop the pool; with ``wait`` return only after every worker process has exited.

        Args:
            wait: block until running and waiting calls finish and the workers are joined.
            cancel_futures: cancel the calls that have not started yet.
        """
        with self._lock:
            self._closed = True
            if cancel_futures:
                for call in self._waiting:
                    call.future.cancel()
                self._waiting.clear()
            while wait and (self._waiting or self._running):
                self._changed.wait()
            executors = [slot.executor for slot in self._idle] + self._retired
            self._slots -= len(self._idle)
            self._idle, self._retired = [], []
        for executor in executors:
            executor.shutdown(wait=wait, cancel_futures=cancel_futures)

    # --- with the lock held ---------------------------------------------------------

    def _dispatch(self) -> None:
        """Hand waiting calls to free slots, first in first out."""
        while self._waiting:
            call = self._waiting[0]
            if call.future.cancelled():
                self._waiting.popleft()
                continue
            slot = self._free_slot()
            if slot is None:
                return
            self._waiting.popleft()
            if call.future.set_running_or_notify_cancel():
                self._start(slot, call)
            else:  # cancelled just now, from another thread
                self._idle.append(slot)

    def _free_slot(self) -> _Slot | None:
        if self._idle:
            return self._idle.pop()
        if self._slots < self._size:
            self._slots += 1
            return _Slot(self._new_executor())
        return None

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=self._context,
            max_tasks_per_child=self.options.max_tasks_per_child,
        )

    def _start(self, slot: _Slot, call: _Call) -> None:
        while True:
            try:
                inner = slot.executor.submit(call.fn, *call.args, **call.kwargs)
                break
            except BrokenProcessPool:  # its worker died while idle: a fresh one
                self._retire(slot)
                self._slots += 1
                slot = _Slot(self._new_executor())
            except BaseException as exc:
                self._retire(slot)
                call.future.set_exception(exc)
                return
        slot.inner = inner
        self._running[call.future] = slot
        inner.add_done_callback(functools.partial(self._finished, call, slot))

    def _retire(self, slot: _Slot) -> None:
        """Give up ``slot`` (its worker died or was ended); ``shutdown`` joins it."""
        self._slots -= 1
        self._restarts += 1
        slot.executor.shutdown(wait=False)
        self._retired.append(slot.executor)

    def _end_worker(self, slot: _Slot) -> None:
        if _kill_workers(slot.executor) or slot.inner is None or slot.inner.done():
            return
        # between two workers (max_tasks_per_child): end the next one once it is up
        timer = threading.Timer(_KILL_RETRY, self._end_again, (slot,))
        timer.daemon = True
        timer.start()

    def _end_again(self, slot: _Slot) -> None:
        with self._lock:
            self._end_worker(slot)

    # --- called by a slot's executor ------------------------------------------------

    def _finished(self, call: _Call, slot: _Slot, inner: Future[Any]) -> None:
        with self._lock:
            del self._running[call.future]
            slot.inner = None
            died = not inner.cancelled() and isinstance(inner.exception(), BrokenProcessPool)
            if slot.interrupted or died:
                self._retire(slot)
            elif self._closed and not self._waiting:
                self._slots -= 1
                slot.executor.shutdown(wait=False)
                self._retired.append(slot.executor)
            else:
                self._idle.append(slot)
            self._dispatch()
            self._changed.notify_all()
        _settle(call, inner, interrupted=slot.interrupted)


def _settle(call: _Call, inner: Future[Any], *, interrupted: bool) -> None:
    """Give ``call``'s future the outcome of the slot executor's ``inner`` one."""
    future = call.future
    if interrupted or inner.cancelled():
        why = "its worker process was ended" if interrupted else "cancelled"
        future.set_exception(CancelledError(f"{_name(call.fn)}: {why}"))
        return
    exc = inner.exception()
    if exc is None:
        future.set_result(inner.result())
    elif isinstance(exc, BrokenProcessPool):
        died = WorkerDiedError(_name(call.fn))
        died.__cause__ = exc
        future.set_exception(died)
    else:
        future.set_exception(exc)


def _kill_workers(executor: ProcessPoolExecutor) -> int:
    """Kill the worker processes of ``executor``; return how many there were."""
    kill = getattr(executor, "kill_workers", None)  # Python 3.14
    if kill is not None:
        kill()
        return 1
    # Before 3.14 the executor offers no way to end its workers but its own table.
    processes = list((executor._processes or {}).values())
    for process in processes:
        process.kill()
    return len(processes)


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
