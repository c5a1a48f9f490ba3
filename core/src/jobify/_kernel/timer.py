"""The timer loop: when each live job runs, running it, and what a cron job does next.

One heap holds every armed job, keyed by the monotonic time it is due; one
alarm on the :class:`~jobify._kernel.clock.Clock` is set for the earliest, and
nothing polls. When the alarm rings, every due job starts as a task that runs
through the task's middleware pipeline (:mod:`jobify._kernel.pipeline`). Its
outcome goes back to the job table; a cron job's next run is computed here (in
wall time, from its last planned run, with its misfire policy), stored through
the job table and armed again. On a cluster storage a durable run is claimed
(through the job table) before it starts, and runs only if the claim is won.

The clock is a constructor argument: tests pass a fake one and the same loop
runs on fake time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from jobify._kernel.clock import SystemClock
from jobify._kernel.values import JobStatus

if TYPE_CHECKING:
    from collections.abc import Sequence
    from zoneinfo import ZoneInfo

    from jobify._kernel.clock import Alarm, Clock
    from jobify._kernel.job import Job
    from jobify._kernel.jobs import JobTable
    from jobify._kernel.runner import JobRunner
    from jobify.crontab import CronParser

__all__ = ("TimerLoop",)

log = logging.getLogger("jobify")
_EARLY: Final = 1e-6  # an alarm may ring this much before its time (float rounding)
_INF: Final = float("inf")


class TimerLoop:
    """Runs each armed job when it is due; one per app.

    Created with the app; :meth:`serve` binds it to the running loop, the app
    and its job table at startup, :meth:`stop` at shutdown.
    """

    __slots__ = (
        "_alarm",
        "_alarm_at",
        "_claims",
        "_heap",
        "_jobs",
        "_next_runs",
        "_runner",
        "_seq",
        "_serving",
        "_stale",
        "clock",
        "tz",
    )
    _jobs: JobTable  # set by serve()
    _runner: JobRunner  # set by serve()

    def __init__(self, *, tz: ZoneInfo, clock: Clock | None = None) -> None:
        """Plan in ``tz`` on ``clock`` (the system clock when None)."""
        self.tz = tz
        self.clock: Clock = SystemClock() if clock is None else clock
        self._heap: list[tuple[float, int, Job[Any]]] = []
        self._seq = itertools.count(1)
        self._stale = 0
        self._alarm: Alarm | None = None
        self._alarm_at = _INF
        self._next_runs: dict[tuple[str, datetime, Any], datetime] = {}
        self._claims = False
        self._serving = False

    # --- lifecycle -------------------------------------------------------------------

    def serve(
        self,
        jobs: JobTable,
        runner: JobRunner,
        loop: asyncio.AbstractEventLoop,
        *,
        claims: bool,
    ) -> None:
        """Start running the due jobs of ``jobs`` with ``runner`` on ``loop``.

        ``claims``: the storage is a cluster's; each durable run is claimed first.
        """
        self.clock.bind(loop)
        self._jobs = jobs
        self._runner = runner
        self._claims = claims
        self._serving = True

    def use_clock(self, clock: Clock) -> None:
        """Run on ``clock`` instead (before the app starts; ``FakeClock.install`` uses it)."""
        if self._serving:
            msg = "the timer loop is serving an app: set its clock before the app starts"
            raise RuntimeError(msg)
        self.clock = clock

    def stop(self) -> None:
        """Call off the alarm and forget every armed job (the job table ends them)."""
        self._serving = False
        if self._alarm is not None:
            self._alarm.cancel()
        self._alarm = None
        self._alarm_at = _INF
        for _when, _seq, job in self._heap:
            job.timer_seq = 0
        self._heap.clear()
        self._stale = 0

    @property
    def armed(self) -> int:
        """How many jobs wait for their time."""
        return len(self._heap) - self._stale

    # --- time ------------------------------------------------------------------------

    def now(self) -> datetime:
        """The current time in the app's timezone."""
        return self.clock.wall().astimezone(self.tz)

    def next_cron_run(self, expression: str, parser: CronParser, after: datetime) -> datetime:
        """``parser.next_run(now=after)``, computed once for every job sharing ``expression``.

        Jobs on the same schedule advance from the same ``after``; a cron parser
        is a pure function of the expression and the time, so one computation
        serves them all (cron CPU, benchmarks/). The memo holds recent runs only.
        """
        key = (expression, after, after.tzinfo)
        memo = self._next_runs
        found = memo.get(key)
        if found is None:
            found = parser.next_run(now=after)
            if len(memo) >= 1024:
                memo.clear()
            memo[key] = found
        return found

    # --- arming ----------------------------------------------------------------------

    def arm(self, job: Job[Any]) -> None:
        """Run ``job`` at ``job.exec_at`` (at once if that has passed)."""
        clock = self.clock
        when = clock.time() + (job.exec_at - clock.wall()).total_seconds()
        seq = next(self._seq)
        if job.timer_seq:
            self._stale += 1  # armed again: its earlier entry is dropped when popped
        job.timer_seq = seq
        heapq.heappush(self._heap, (when, seq, job))
        if when < self._alarm_at:
            self._set_alarm(when)

    def arm_all(self, jobs: Sequence[Job[Any]]) -> None:
        """:meth:`arm` each of ``jobs`` (none armed yet), reading the clocks once.

        A startup arms every restored job: a batch large next to the heap
        joins it with one heapify instead of a push each, and sets one alarm.
        """
        if not jobs:
            return
        clock = self.clock
        base = clock.time()
        wall = clock.wall()
        seq = self._seq
        entries = []
        for job in jobs:
            job.timer_seq = number = next(seq)
            entries.append((base + (job.exec_at - wall).total_seconds(), number, job))
        heap = self._heap
        if len(entries) * 8 < len(heap):
            for entry in entries:
                heapq.heappush(heap, entry)
        else:
            heap += entries
            heapq.heapify(heap)
        first = min(entries)[0]
        if first < self._alarm_at:
            self._set_alarm(first)

    def disarm(self, job: Job[Any]) -> None:
        """Forget ``job``'s armed time, if it has one."""
        if job.timer_seq:
            job.timer_seq = 0
            self._stale += 1
            if self._stale > 1024 and self._stale > len(self._heap) // 2:
                self._heap = [entry for entry in self._heap if entry[2].timer_seq == entry[1]]
                heapq.heapify(self._heap)
                self._stale = 0

    def arm_handle(self, job: Job[Any]) -> asyncio.Handle:
        """Arm ``job`` and return an ``asyncio.Handle`` whose ``cancel()`` disarms it.

        The last step of the outer middleware chain returns it (the reference's
        ``CallNextOuter`` type): made only for tasks that have outer middleware.
        """
        self.arm(job)
        job.status = JobStatus.SCHEDULED
        handle = TimerHandle(self, job, asyncio.get_running_loop())
        job.bind_handle(handle)
        return handle

    def start_soon(self, job: Job[Any]) -> asyncio.Handle:
        """Start ``job`` on the next loop turn (a push through outer middleware)."""
        job.status = JobStatus.SCHEDULED
        handle = asyncio.get_running_loop().call_soon(self._start_live, job)
        job.bind_handle(handle)
        return handle

    def _start_live(self, job: Job[Any]) -> None:
        if not job.is_done() and self._jobs.get(job.id) is job:
            self.start(job)

    def _set_alarm(self, when: float) -> None:
        if self._alarm is not None:
            self._alarm.cancel()
        self._alarm_at = when
        self._alarm = self.clock.call_at(when, self._ring)

    def _ring(self) -> None:
        """The alarm: start every job that is due, then set the alarm for the next."""
        self._alarm = None
        self._alarm_at = _INF
        heap = self._heap
        due = self.clock.time() + _EARLY
        while heap:
            when, seq, job = heap[0]
            if job.timer_seq != seq:
                heapq.heappop(heap)
                self._stale -= 1
                continue
            if when > due:
                self._set_alarm(when)
                return
            heapq.heappop(heap)
            job.timer_seq = 0
            self.start(job)

    # --- running ---------------------------------------------------------------------

    def start(self, job: Job[Any]) -> None:
        """Start ``job`` now as a task (a push skips the heap this way)."""
        runner = self._runner
        coro = runner.claim_and_run(job) if self._claims and job.durable else runner.run(job)
        task = self.clock.spawn(coro)
        job.bind_task(task)
        self._jobs.running.add(task)  # removed by the run's end, or by the job table

    def run_now(self, job: Job[Any]) -> None:
        """One extra run of ``job`` now (a cron job keeps its schedule; ``run now``)."""
        self.disarm(job)
        if job.cron_context is None:
            self.start(job)  # a one-off job simply runs now
            return
        task = self.clock.spawn(self._runner.run(job, extra=True))
        job.bind_task(task)
        self._jobs.running.add(task)


class TimerHandle(asyncio.TimerHandle):
    """A job's place in the timer heap, as the ``asyncio.TimerHandle`` outer middleware sees."""

    __slots__ = ("_armed", "_timer")

    def __init__(self, timer: TimerLoop, job: Job[Any], loop: asyncio.AbstractEventLoop) -> None:
        when = timer.clock.time() + (job.exec_at - timer.clock.wall()).total_seconds()
        super().__init__(when, timer.start, (job,), loop)
        self._timer = timer
        self._armed = job

    def cancel(self) -> None:
        """Disarm the job (if it has not started yet)."""
        if not self.cancelled():
            self._timer.disarm(self._armed)
        super().cancel()
