"""QueueMiddleware: at most ``workers`` job executions run at once, most urgent first.

Each execution that reaches the middleware becomes an :class:`Item` in a
queue; ``workers`` worker tasks, started with the app, take items one at a
time and run the rest of the chain (the inner middleware, retry, timeout and
the task) in a task of their own, then hand the outcome back through the
item's future. The job's own task only waits, so a job stays ``RUNNING``
while it is queued.

Cancellation follows the waiting job: cancelling it (``job.cancel()``, app
shutdown) cancels the future, so a queued item is skipped and a running one
is cancelled. The worker keeps its slot until that execution has really
stopped, so the bound holds even then. :meth:`QueueMiddleware.shutdown`
first drains the queue (what is queued runs, as in jobify 0.14, unless its
job was cancelled), then cancels the idle workers, waits for the busy ones
and cancels anything left in the queue.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from typing import TYPE_CHECKING, Any, Final

from jobify import options
from jobify.exceptions import ApplicationStateError
from jobify.middleware import BaseMiddleware
from jobify_queue.queue import Item, JobifyQueue, PriorityJobQueue

if TYPE_CHECKING:
    from jobify import JobContext, Jobify
    from jobify.middleware import CallNext

__all__ = ("DEFAULT_MAXSIZE", "DEFAULT_WORKERS", "QueueMiddleware")

log = logging.getLogger("jobify.queue")

DEFAULT_WORKERS: Final = 100
"""Executions that may run at once, as in the reference implementation."""
DEFAULT_MAXSIZE: Final = 1024
"""Items the default queue holds before ``put`` waits, as in the reference implementation."""

_QUEUE_METHODS: Final = ("get", "put", "task_done")
_WORKERS: Final = options.positive_int(fix="the number of jobs that may run at once")
_MAXSIZE: Final = options.optional(options.integer(minimum=0, fix="0 means unbounded"))


class QueueMiddleware(BaseMiddleware):
    """Run at most ``workers`` jobs at once; higher ``metadata["priority"]`` starts first.

    The priority of a task is ``@app.task(metadata={"priority": n})``, a
    number (default 0). Among equal priorities the default queue is first in,
    first out.

    The app calls :meth:`startup` and :meth:`shutdown`; a job that reaches the
    middleware before startup fails with ``ApplicationStateError``.

    Args:
        queue: the queue to use; by default a :class:`PriorityJobQueue` of
            ``maxsize`` items.
        workers: executions that may run at once (>= 1).
        maxsize: bound of the default queue (>= 0; 0 means unbounded, default
            1024). A job that finds it full waits to enter. Not allowed with
            ``queue``: bound that queue instead.

    Raises:
        TypeError: an option of the wrong type, or a ``queue`` without
            ``get``, ``put`` and ``task_done``.
        ValueError: ``workers`` < 1, ``maxsize`` < 0, or ``maxsize`` with ``queue``.
    """

    # A plain class rather than attrs (STYLE §7): the reference fixes the
    # positional signature ``(queue, workers)``, and the instance is a service
    # with runtime state more than a bag of options.

    def __init__(
        self,
        queue: JobifyQueue | None = None,
        workers: int = DEFAULT_WORKERS,
        *,
        maxsize: int | None = None,
    ) -> None:
        owner = type(self).__name__
        _WORKERS.validate(owner, "workers", workers)
        _MAXSIZE.validate(owner, "maxsize", maxsize)
        self._own_maxsize: int | None = None
        if queue is None:
            self._own_maxsize = DEFAULT_MAXSIZE if maxsize is None else maxsize
            queue = PriorityJobQueue(self._own_maxsize)
        else:
            if maxsize is not None:
                problem = (
                    "maxsize sizes the default queue and cannot be combined with queue=...; "
                    "bound your queue instead"
                )
                raise options.fail(owner, "maxsize", maxsize, problem)
            missing = [m for m in _QUEUE_METHODS if not callable(getattr(queue, m, None))]
            if missing:
                msg = (
                    f"QueueMiddleware(queue={queue!r}): expected a JobifyQueue with async "
                    f"get(), async put(item) and task_done(); missing {', '.join(missing)}"
                )
                raise TypeError(msg)
        self.queue: JobifyQueue = queue
        self.workers: int = workers
        self._tasks: tuple[asyncio.Task[None], ...] = ()
        self._busy: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        state = "started" if self._tasks else "stopped"
        return f"QueueMiddleware(queue={self.queue!r}, workers={self.workers}) <{state}>"

    async def __call__(self, call_next: CallNext, context: JobContext) -> Any:
        """Queue this execution and wait for a worker to run it; return its result.

        Raises:
            ApplicationStateError: the middleware has not been started.
            TypeError: the task's ``metadata["priority"]`` is not a number.
        """
        loop = self._loop
        if loop is None:
            raise ApplicationStateError(
                operation=f"run job {context.job.id!r} through QueueMiddleware",
                reason="its workers are not started",
                solution=(
                    "Pass it to Jobify(middleware=[...]) or select it in [[jobify.middleware]] "
                    "so that the app starts it, or await middleware.startup(app) first."
                ),
            )
        future: asyncio.Future[Any] = loop.create_future()
        await self.queue.put(Item(call_next, context, future, -_priority(context)))
        return await future

    async def startup(self, app: Jobify) -> None:
        """Start the workers; the app calls this at startup.

        Args:
            app: the app being started.

        Raises:
            ApplicationStateError: the workers are already running (one
                instance serves one running app at a time).
        """
        if self._tasks:
            raise ApplicationStateError(
                operation="start QueueMiddleware",
                reason="its workers are already running",
                solution="Give each app its own QueueMiddleware; shutdown() stops the workers.",
            )
        loop = asyncio.get_running_loop()
        if self._own_maxsize is not None and loop is not self._last_loop:
            # an asyncio queue belongs to the loop that first waited on it: an app
            # started again under a new loop (a second asyncio.run) needs a new one
            self.queue = PriorityJobQueue(self._own_maxsize)
        self._last_loop = loop
        tasks = []
        for i in range(self.workers):
            task = loop.create_task(self._work(), name=f"jobify-queue-worker-{i}")
            task.add_done_callback(_report_crash)
            tasks.append(task)
        self._tasks = tuple(tasks)
        self._loop = loop

    async def drain(self) -> None:
        """Wait until every execution already queued has run, as jobify 0.14's shutdown does.

        Only for a queue with ``join()`` (the default has it): the workers
        keep taking items, in priority order, until the queue is empty and
        each item taken is done. An item whose job was cancelled meanwhile is
        skipped. Jobs still waiting to *enter* a full queue are not waited
        for. :meth:`shutdown` drains first; an app that calls ``drain()``
        before it cancels its jobs lets the queued jobs finish (their results
        are delivered, durable ones are removed from storage as usual).

        Raises:
            asyncio.CancelledError: this call was cancelled; the workers keep
                running until :meth:`shutdown`.
        """
        join = getattr(self.queue, "join", None)
        if self._tasks and join is not None:
            await join()

    async def shutdown(self) -> None:
        """Run what is queued, then stop the workers; the app calls this at shutdown.

        First :meth:`drain`: the executions already in the queue run, as in
        jobify 0.14 (in an app that cancelled its jobs first, their items are
        skipped). Then idle workers are cancelled; a worker that is running
        an execution finishes it first and then exits. Items still in a queue
        with ``get_nowait`` (one without ``join``, or put meanwhile) are
        removed and their futures cancelled. Nothing started here outlives
        this call; if it is cancelled, the workers and the executions they
        run are cancelled at once.
        """
        tasks = self._tasks
        try:
            await self.drain()
        except BaseException:
            for task in tasks:
                task.cancel()
            await self._stop(tasks)
            raise
        await self._stop(tasks)

    async def _stop(self, tasks: tuple[asyncio.Task[None], ...]) -> None:
        self._tasks, self._loop = (), None
        self._stopping = True
        for task in tasks:
            if task not in self._busy:
                task.cancel()
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._busy.clear()
            self._stopping = False
        get_nowait = getattr(self.queue, "get_nowait", None)
        if get_nowait is None:
            return
        while True:
            try:
                item = get_nowait()
            except asyncio.QueueEmpty:
                return
            item.future.cancel()
            self.queue.task_done()

    async def _work(self) -> None:
        queue = self.queue
        busy = self._busy
        me = asyncio.current_task()
        assert me is not None  # noqa: S101 - always runs as a task
        while not self._stopping:
            item = await queue.get()
            busy.add(me)
            try:
                await _run_one(item, me)
            finally:
                busy.discard(me)
                queue.task_done()


async def _run_one(item: Item, worker: asyncio.Task[None]) -> None:
    future = item.future
    if future.done():  # the job was cancelled while it waited in the queue
        return
    run = asyncio.get_running_loop().create_task(_execute(item.call_next, item.context))
    future.add_done_callback(functools.partial(_cancel_if_cancelled, run))
    try:
        result = await run
    except asyncio.CancelledError:
        future.cancel()
        if worker.cancelling():
            raise
        return  # the job was cancelled while it ran; on to the next item
    except BaseException as exc:  # handed to the waiting job, which re-raises it
        if not future.done():
            future.set_exception(exc)
        return
    if not future.done():
        future.set_result(result)


def _report_crash(worker: asyncio.Task[None]) -> None:
    if not worker.cancelled() and (exc := worker.exception()) is not None:
        log.error(
            "QueueMiddleware worker %s stopped: its queue raised; %s",
            worker.get_name(), "fewer jobs can run at once until the app restarts",
            exc_info=exc,
        )  # fmt: skip


async def _execute(call_next: CallNext, context: JobContext) -> Any:
    return await call_next(context)


def _cancel_if_cancelled(run: asyncio.Task[Any], future: asyncio.Future[Any]) -> None:
    if future.cancelled():
        run.cancel()


def _priority(context: JobContext) -> float:
    metadata = context.route_options.get("metadata")
    if not metadata:
        return 0
    value = metadata.get("priority", 0)
    if type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        msg = (
            f"task {context.runnable.name!r}: metadata['priority'] must be a number "
            f"(higher runs first, default 0), got {value!r}"
        )
        raise TypeError(msg)
    return value
