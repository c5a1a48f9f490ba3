"""A scheduled job, and the state a recurring (cron) job carries between runs.

:class:`Job` is the handle users get from ``push``/``schedule`` and from
``find_job``; the job table (:mod:`jobify._kernel.jobs`) keeps one per live job
and the timer loop (:mod:`jobify._kernel.timer`) runs it. Besides the
reference's API, a job exposes a few plain members those two rooms use
(``route``, ``runnable``, ``durable``, ``timer_seq``, ``bind_task``, ``wake``):
they are how the rooms reach a job's state without touching its privates.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from jobify._kernel.values import JobStatus
from jobify.exceptions import JobFailedError, JobNotCompletedError

if TYPE_CHECKING:
    from collections.abc import Callable, Generator
    from datetime import datetime

    from jobify._kernel.registry import RootRoute
    from jobify._kernel.runnable import Runnable
    from jobify._kernel.values import Cron
    from jobify.crontab import CronParser
    from jobify.storage import Storage

__all__ = ("DONE", "CronContext", "Job")

ReturnT = TypeVar("ReturnT")
_NO_RESULT: Final[Any] = object()  # a job that has not produced a result (yet)
_ENDED: Final[list[Any]] = []  # the waiters of a job that has ended: none will come

DONE: Final = frozenset(
    {
        JobStatus.SUCCESS,
        JobStatus.FAILED,
        JobStatus.TIMEOUT,
        JobStatus.CANCELLED,
        JobStatus.PERMANENTLY_FAILED,
    }
)
"""The final statuses."""


class CronContext(Generic[ReturnT]):
    """Holds configuration and state for a cron-based job."""

    __slots__ = ("cron", "cron_parser", "failure_count", "job", "offset", "run_count")

    def __init__(
        self,
        *,
        cron: Cron,
        cron_parser: CronParser,
        failure_count: int = 0,
        job: Job[ReturnT],
        offset: datetime,
        run_count: int,
    ) -> None:
        """Bind ``cron`` and its parser to ``job``; ``offset`` is the last planned run."""
        self.cron = cron
        self.cron_parser = cron_parser
        self.failure_count = failure_count
        self.job = job
        self.offset = offset
        self.run_count = run_count

    def is_run_exceeded_by_limit(self) -> bool:
        """Return True once ``max_runs`` runs have happened."""
        return self.cron.max_runs != -1 and self.run_count >= self.cron.max_runs

    def is_failure_allowed_by_limit(self) -> bool:
        """Return True while consecutive failures stay below ``max_failures``."""
        return self.failure_count < self.cron.max_failures

    def __repr__(self) -> str:
        return (
            f"CronContext(expression={self.cron.expression!r}, run_count={self.run_count}, "
            f"failure_count={self.failure_count}, offset={self.offset.isoformat()})"
        )


class Job(Generic[ReturnT]):
    """A scheduled job: its id, status, planned time, and outcome once done.

    ``await job`` waits for it and returns its result (``wait()`` then
    ``result()``), so jobs can be gathered like tasks. A cron job's
    ``wait()`` wakes after each run; its result is the last run's.
    """

    __slots__ = (
        "_cron_ctx",
        "_durable",
        "_handle",
        "_result",
        "_route",
        "_runnable",
        "_task",
        "_unregister_hook",
        "_waiters",
        "exception",
        "exec_at",
        "id",
        "status",
        "storage",
        "timer_seq",
    )

    def __init__(
        self,
        *,
        job_id: str,
        storage: Storage,
        exec_at: datetime,
        unregister_hook: Callable[[str], None],
        job_status: JobStatus = JobStatus.PENDING,
    ) -> None:
        """Create a job; the kernel does this, tasks get jobs from ``push``/``schedule``."""
        self.id = job_id
        self.storage = storage
        self.exec_at = exec_at
        self.status = job_status
        self.exception: Exception | None = None
        self._result: Any = _NO_RESULT
        self._unregister_hook = unregister_hook
        self._handle: asyncio.Handle | None = None
        self._task: asyncio.Task[Any] | None = None
        self._cron_ctx: CronContext[ReturnT] | None = None
        self._waiters: list[asyncio.Future[None]] | None = None
        self._durable = False
        self._route: RootRoute[Any, ReturnT] | None = None
        self._runnable: Runnable[ReturnT] | None = None
        self.timer_seq = 0
        """The timer loop's mark of this job's armed timer (0: not armed)."""

    def __repr__(self) -> str:
        cron = "" if self._cron_ctx is None else f", cron={self._cron_ctx.cron.expression!r}"
        return (
            f"<Job id={self.id!r}, status={self.status.value!r}, "
            f"exec_at={self.exec_at.isoformat()!r}{cron}>"
        )

    # --- the reference's API ------------------------------------------------------

    @property
    def cron_expression(self) -> str | None:
        """Return the cron expression if this is a cron job, else None."""
        return None if self._cron_ctx is None else self._cron_ctx.cron.expression

    @property
    def cron_context(self) -> CronContext[ReturnT] | None:
        """The cron state (run and failure counts) of a cron job, else None."""
        return self._cron_ctx

    def bind_cron_context(self, ctx: CronContext[ReturnT]) -> None:
        """Bind a cron context to the job."""
        self._cron_ctx = ctx

    def bind_handle(self, handle: asyncio.Handle) -> None:
        """Bind the timer handle that will start the job."""
        self._handle = handle

    def is_cron(self) -> bool:
        """Return True for a cron job."""
        return self._cron_ctx is not None

    def is_done(self) -> bool:
        """Return True once the job has ended (a final status, or it was never scheduled)."""
        return self._waiters is _ENDED or self.status in DONE

    def is_reschedulable(self) -> bool:
        """Return True for a cron job that may run again."""
        ctx = self._cron_ctx
        return (
            ctx is not None
            and not ctx.is_run_exceeded_by_limit()
            and ctx.is_failure_allowed_by_limit()
            and self.status is not JobStatus.CANCELLED
        )

    def result(self) -> ReturnT:
        """Return the result of a job that succeeded (of a cron job: its last successful run).

        Raises:
            JobFailedError: the job failed; ``exception`` (also the ``__cause__``) says why.
            JobNotCompletedError: the job has not produced a result: it has not
                run yet, or ended without one (timed out or cancelled: see
                ``status`` and ``exception``).
        """
        status = self.status
        if status is JobStatus.FAILED or status is JobStatus.PERMANENTLY_FAILED:
            exc = self.exception
            reason = str(exc) if exc is not None else f"it ended with status {status.value}"
            raise JobFailedError(self.id, reason) from exc
        result = self._result
        if result is _NO_RESULT:
            raise JobNotCompletedError
        return result  # type: ignore[no-any-return]

    def __await__(self) -> Generator[Any, None, ReturnT]:
        """``await job``: wait until it is done (a cron job: its next run), then its result."""
        return self._outcome().__await__()

    async def _outcome(self) -> ReturnT:
        await self.wait()
        return self.result()

    def set_result(self, val: ReturnT, *, status: JobStatus) -> None:
        """Record ``val`` as the outcome, with ``status``."""
        self._result = val
        self.status = status

    def set_exception(self, exc: Exception, *, status: JobStatus) -> None:
        """Record ``exc`` as the outcome, with ``status``."""
        self.exception = exc
        self.status = status

    def update(self, *, exec_at: datetime, status: JobStatus) -> None:
        """Move the job to ``exec_at`` with ``status`` (a cron job's next run)."""
        self.exec_at = exec_at
        self.status = status

    async def wait(self) -> None:
        """Wait until the job is done; returns at once if it already is.

        Safe for concurrent use by several coroutines. For a cron job it
        returns after its next run (the job is then scheduled again) or when
        its schedule ends (``max_runs``, ``max_failures`` or cancellation).
        """
        if self._waiters is _ENDED or self.status in DONE:
            return
        # one future per waiter (cheaper than shielding a shared one): cancelling
        # a waiter cancels only its own future, never the job nor other waiters
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = self._waiters
        if waiters is None:
            self._waiters = [waiter]
        else:
            waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if self._waiters and waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    async def cancel(self) -> None:
        """Cancel the job: unschedule it, stop a running execution, drop it from storage."""
        if self.is_done():
            return
        task = self._task
        self.status = JobStatus.CANCELLED
        try:
            if task is not None and not task.done() and task is not asyncio.current_task():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        finally:  # also when the job cancels itself from a task the cancellation reaches
            self.end()
            self._unregister_hook(self.id)

    # --- what the job table and the timer loop use --------------------------------

    def bind(
        self, route: RootRoute[Any, ReturnT], runnable: Runnable[ReturnT], *, durable: bool
    ) -> None:
        """Give the job the task it runs, the call it makes, and whether it is stored."""
        self._route = route
        self._runnable = runnable
        self._durable = durable

    @property
    def route(self) -> RootRoute[Any, ReturnT]:
        """The task this job runs."""
        route = self._route
        if route is None:
            msg = f"job {self.id!r} is not bound to a task"
            raise RuntimeError(msg)
        return route

    @property
    def runnable(self) -> Runnable[ReturnT]:
        """The call of the task this job makes."""
        runnable = self._runnable
        if runnable is None:
            msg = f"job {self.id!r} is not bound to a task"
            raise RuntimeError(msg)
        return runnable

    @property
    def durable(self) -> bool:
        """True while the job has a stored row (its end deletes the row)."""
        return self._durable

    @durable.setter
    def durable(self, value: bool) -> None:
        self._durable = value

    @property
    def running_task(self) -> asyncio.Task[Any] | None:
        """The task running the job now, if it runs."""
        return self._task

    def bind_task(self, task: asyncio.Task[Any] | None) -> None:
        """Record the task that runs the job (None once it no longer does)."""
        self._task = task

    def reset(self, exec_at: datetime) -> None:
        """Make a job that is rescheduled under its id pending again at ``exec_at``."""
        self.exec_at = exec_at
        self.status = JobStatus.PENDING
        self.exception = None
        self._result = _NO_RESULT
        self._cron_ctx = None
        self._handle = None
        self._waiters = None

    def wake(self) -> None:
        """Wake the waiters: a cron run ended (the job goes on)."""
        waiters = self._waiters
        if waiters is not None and waiters is not _ENDED:
            self._waiters = None
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    def end(self) -> None:
        """The job has ended (or was never scheduled): wake the waiters, and any later at once."""
        self.wake()
        self._waiters = _ENDED
