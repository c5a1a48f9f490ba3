"""What the dashboard shows, read from one app through the kernel's public operations.

:class:`Board` is the only module that talks to the app and its storage; the
pages and the JSON API render what it returns. It codes against the storage
*abilities* (``jobify.storage``'s protocols), never a storage class:

- the job list pages by key through :class:`~jobify.storage.ControlStorage`
  (``list_jobs(after=...)``), merged with this process's live jobs that are not
  stored (``durable=False``), so a page never loads every row. Without that
  ability it pages through this process's live jobs only, and says so;
- history and failures come from :class:`~jobify.storage.HistoryStorage`
  (``get_runs(before=...)``, newest first); kept outcomes from
  :class:`~jobify.storage.ResultStorage`; nodes from
  :class:`~jobify.storage.ClusterView`;
- actions are ``app.pause_job`` / ``resume_job`` / ``run_job_now`` /
  ``cancel_job``, the control API the CLI uses.

Every value handed out is plain data (str, int, float, bool, None, lists and
dicts): job ids, task names and arguments are user data, and the templates
escape them.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from jobify import JobStatus, RunMode
from jobify.storage import (
    ClusterView,
    ControlStorage,
    HistoryStorage,
    InspectableStorage,
    NodeInfo,
    ResultStorage,
    RunRecord,
    StoredJob,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from jobify import Job, Jobify

__all__ = (
    "ACTIONS",
    "STATUSES",
    "ActionError",
    "Board",
    "JobRow",
    "JobsPage",
    "NotRunningError",
    "RunsPage",
)

STATUSES: Final = ("scheduled", "running", "paused", "set aside")
"""The statuses the job list filters on (those ``ControlStorage.list_jobs`` knows)."""
ACTIONS: Final = ("pause", "resume", "run", "cancel")
MAX_TEXT: Final = 2000
MAX_ITEMS: Final = 100


class NotRunningError(RuntimeError):
    """The app is not started: its storage is closed and it runs nothing."""


class ActionError(RuntimeError):
    """An action the app refused (e.g. a producer whose storage keeps no control state)."""


class JobRow(NamedTuple):
    """One line of the job list."""

    id: str
    task: str
    status: str
    next_run_at: datetime | None
    paused: bool
    run_requested: bool
    set_aside: str | None
    stored: bool
    schedule: str | None

    def as_json(self, tz: ZoneInfo) -> dict[str, Any]:
        """The row for the JSON API, times in ``tz``."""
        return {
            "id": self.id,
            "task": self.task,
            "status": self.status,
            "next_run_at": iso(self.next_run_at, tz),
            "paused": self.paused,
            "run_requested": self.run_requested,
            "set_aside": self.set_aside,
            "stored": self.stored,
            "schedule": self.schedule,
        }


class JobsPage(NamedTuple):
    """A page of the job list, and the key of the next one (None: this is the last)."""

    rows: list[JobRow]
    next_after: str | None
    source: str
    """``"storage"`` (every process's stored jobs plus this one's unstored ones) or
    ``"process"`` (this process's live jobs only: the storage cannot list by page)."""


class RunsPage(NamedTuple):
    """A page of run history, newest first, and the key of the next (older) page."""

    runs: list[dict[str, Any]]
    next_before: int | None


def iso(when: datetime | None, tz: ZoneInfo) -> str | None:
    """``when`` in ``tz`` as ISO 8601; None for none or a time that cannot be shown."""
    if when is None:
        return None
    try:
        return when.astimezone(tz).isoformat()
    except (OverflowError, ValueError):  # a set-aside row's unreadable time
        return None


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-ready data: bounded, with anything else shown by its ``repr``."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if depth < 8 and isinstance(value, Mapping):
        items = list(value.items())
        out = {str(k): plain(v, depth + 1) for k, v in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            out["…"] = f"{len(items) - MAX_ITEMS} more"
        return out
    if depth < 8 and isinstance(value, list | tuple | set | frozenset):
        seq = list(value)
        out_list = [plain(v, depth + 1) for v in seq[:MAX_ITEMS]]
        if len(seq) > MAX_ITEMS:
            out_list.append(f"… {len(seq) - MAX_ITEMS} more")
        return out_list
    return plain(repr(value), depth)


def run_json(run_id: int, run: RunRecord, tz: ZoneInfo) -> dict[str, Any]:
    """One run of history as plain data."""
    try:
        duration = (run.finished_at - run.started_at).total_seconds()
    except (OverflowError, TypeError, ValueError):
        duration = None
    return {
        "id": run_id,
        "job_id": run.job_id,
        "task": run.task,
        "status": str(run.status.value if isinstance(run.status, JobStatus) else run.status),
        "planned_at": iso(run.planned_at, tz),
        "started_at": iso(run.started_at, tz),
        "finished_at": iso(run.finished_at, tz),
        "duration": duration,
        "attempt": run.attempt,
        "node": run.node,
        "error_type": run.error_type,
        "error_message": run.error_message,
        "result_summary": run.result_summary,
    }


def _live_status(job: Job[Any]) -> str:
    if job.paused:
        return "paused"
    if job.running_task is not None:
        return "running"
    return str(job.status.value)


def _stored_status(stored: StoredJob) -> str:
    if stored.set_aside is not None:
        return "set aside"
    if stored.paused:
        return "paused"
    status = stored.row.status
    return str(status.value if isinstance(status, JobStatus) else status)


def _task_of(job: Job[Any]) -> str:
    try:
        return job.route.name
    except RuntimeError:  # not bound to a task (being built)
        return ""


class Board:
    """The dashboard's view of one app: reads and actions, in plain data."""

    def __init__(self, app: Jobify) -> None:
        """Show ``app`` (a started app: its storage is open)."""
        self.app = app

    # --- what the app is -----------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        """The app's time zone: every time is shown in it."""
        return self.app.configs.tz

    @property
    def storage(self) -> Any:
        """The app's storage (a ``NoStorage`` when storage is off)."""
        return self.app.configs.storage

    @property
    def started(self) -> bool:
        """True while the app runs."""
        return bool(self.app.configs.app_started)

    def check_started(self) -> None:
        """Raise :class:`NotRunningError` unless the app runs."""
        if not self.started:
            msg = (
                "the jobify app is not running: start it (async with app, or await "
                "app.startup()) before serving its dashboard"
            )
            raise NotRunningError(msg)

    def storage_text(self) -> str:
        """Where the jobs live, for people (never a password: ``describe()``'s contract)."""
        storage = self.storage
        if self.app.assembly.storage in (None, False):
            return "storage off (jobs live in this process only)"
        if isinstance(storage, InspectableStorage):
            try:
                return storage.describe()
            except Exception:
                return type(storage).__name__
        return type(storage).__name__

    def history_state(self) -> str:
        """``"on"``, ``"off"`` (the app keeps none: ``[jobify.history]``) or ``"unsupported"``."""
        if not isinstance(self.storage, HistoryStorage):
            return "unsupported"
        return "on" if self.app.extra.history is not None else "off"

    def overview(self) -> dict[str, Any]:
        """The app's statistics and what this dashboard can show."""
        stats = self.app.statistics()
        return {
            "running": self.started,
            "role": self.app.extra.role,
            "time_zone": self.tz.key,
            "storage": self.storage_text(),
            "history": self.history_state(),
            "control": isinstance(self.storage, ControlStorage),
            "cluster": isinstance(self.storage, ClusterView),
            "statistics": stats._asdict(),
        }

    # --- tasks ---------------------------------------------------------------------

    def tasks(self) -> list[dict[str, Any]]:
        """Every task: name, run mode, schedule, options, and its live jobs in this process."""
        counts: dict[str, list[int]] = {}
        for job in self.app.get_active_jobs():
            live_running_paused = counts.setdefault(_task_of(job), [0, 0, 0])
            live_running_paused[0] += 1
            live_running_paused[1] += job.running_task is not None
            live_running_paused[2] += job.paused
        out = []
        for route in sorted(self.app.routes, key=lambda r: r.name):
            options: Mapping[str, Any] = route.options
            spec = getattr(route, "func_spec", None)
            is_async = bool(getattr(spec, "is_async", False))
            mode = options.get("run_mode") or (RunMode.MAIN if is_async else RunMode.THREAD)
            cron = options.get("cron")
            retry = options.get("retry")
            live, running, paused = counts.get(route.name, [0, 0, 0])
            out.append(
                {
                    "name": route.name,
                    "run_mode": str(getattr(mode, "value", mode)),
                    "schedule": None if cron is None else str(getattr(cron, "expression", cron)),
                    "durable": bool(options.get("durable", True)),
                    "retry": getattr(retry, "retries", retry),
                    "timeout": options.get("timeout"),
                    "live": live,
                    "running": running,
                    "paused": paused,
                }
            )
        return out

    def task_names(self) -> list[str]:
        """The tasks' names, sorted (for the job list's filter)."""
        return sorted(route.name for route in self.app.routes)

    # --- jobs ----------------------------------------------------------------------

    def _row_of_live(self, job: Job[Any]) -> JobRow:
        return JobRow(
            id=job.id, task=_task_of(job), status=_live_status(job), next_run_at=job.exec_at,
            paused=job.paused, run_requested=False, set_aside=None, stored=False,
            schedule=job.cron_expression,
        )  # fmt: skip

    def _row_of_stored(self, stored: StoredJob) -> JobRow:
        row = stored.row
        live = self.app.find_job(row.job_id)
        status = _stored_status(stored)
        if live is not None and status in ("scheduled", "running") and live.running_task:
            status = "running"  # this process runs it now
        return JobRow(
            id=row.job_id, task=row.name, status=status, next_run_at=row.next_run_at,
            paused=stored.paused or bool(live and live.paused),
            run_requested=stored.run_requested, set_aside=stored.set_aside, stored=True,
            schedule=None if live is None else live.cron_expression,
        )  # fmt: skip

    def _live_page(
        self,
        jobs: Iterable[Job[Any]],
        *,
        after: str | None,
        limit: int,
        task: str | None,
        status: str | None,
        search: str | None,
    ) -> list[JobRow]:
        """The first ``limit`` live jobs by id after ``after`` that pass the filters (no sort)."""

        def keep(job: Job[Any]) -> bool:
            if after is not None and job.id <= after:
                return False
            name = _task_of(job)
            if task is not None and name != task:
                return False
            if status is not None and _live_status(job) != status:
                return False
            return search is None or search in job.id or search in name

        chosen = heapq.nsmallest(limit, filter(keep, jobs), key=lambda job: job.id)
        return [self._row_of_live(job) for job in chosen]

    async def jobs(
        self,
        *,
        after: str | None = None,
        limit: int = 50,
        task: str | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> JobsPage:
        """A page of jobs ordered by id, after the id ``after``; filters as ``list_jobs``."""
        self.check_started()
        storage = self.storage
        live = self.app.get_active_jobs()
        filters = {"after": after, "task": task, "status": status, "search": search}
        if isinstance(storage, ControlStorage):
            stored = await storage.list_jobs(limit=limit + 1, **filters)
            rows = [self._row_of_stored(s) for s in stored]
            unstored = (job for job in live if not job.durable)
            rows += self._live_page(unstored, limit=limit + 1, **filters)
            rows.sort(key=lambda r: r.id)
            source = "storage"
        else:
            rows = self._live_page(live, limit=limit + 1, **filters)
            source = "process"
        page = rows[:limit]
        next_after = page[-1].id if len(rows) > limit and page else None
        return JobsPage(page, next_after, source)

    async def job(self, job_id: str) -> dict[str, Any] | None:
        """One job, stored and live here, with its arguments and kept outcome; None if unknown."""
        self.check_started()
        storage = self.storage
        stored = (
            await storage.get_stored_job(job_id) if isinstance(storage, ControlStorage) else None
        )
        live = self.app.find_job(job_id)
        outcome = None
        if stored is None and live is None:
            if isinstance(storage, ResultStorage):
                outcome = await storage.get_outcome(job_id)
            if outcome is None:
                return None
        tz = self.tz
        detail: dict[str, Any] = {"id": job_id, "stored": stored is not None, "live": live}
        if stored is not None:
            row = self._row_of_stored(stored)
            detail.update(row.as_json(tz))
            detail.update(self._decode(stored.row.message, stored.row.name))
        elif live is not None:
            detail.update(self._row_of_live(live).as_json(tz))
            detail["arguments"] = plain(dict(live.runnable.origin_arguments))
            detail["arguments_source"] = "live"
            detail["decode_error"] = None
            detail["trigger"] = self._live_trigger(live)
        if outcome is not None:
            detail.update(
                task=outcome.name, status=str(outcome.status.value), next_run_at=None,
                paused=False, run_requested=False, set_aside=None, schedule=None,
                arguments=None, arguments_source=None, decode_error=None, trigger=None,
            )  # fmt: skip
            detail["outcome"] = {
                "status": str(outcome.status.value),
                "finished_at": iso(outcome.finished_at, tz),
                "error": outcome.error,
                "result": self._decode_result(outcome.result),
            }
        else:
            detail["outcome"] = None
        detail["live"] = live is not None
        detail["actions"] = self._actions_for(detail)
        return detail

    def _actions_for(self, detail: Mapping[str, Any]) -> list[str]:
        if detail.get("outcome") is not None:
            return []
        if detail.get("set_aside"):
            return ["cancel"]
        first = "resume" if detail.get("paused") else "pause"
        return [first, "run", "cancel"]

    def _decode(self, message: bytes, task: str) -> dict[str, Any]:
        """The stored message as stored: its arguments and trigger, not re-typed."""
        serializer = self.app.configs.serializer
        out: dict[str, Any] = {
            "arguments": None, "arguments_source": "stored", "decode_error": None, "trigger": None,
        }  # fmt: skip
        if serializer is None:
            out["decode_error"] = "the app has no serializer to read stored messages with"
            return out
        try:
            data = serializer.loadb(message)
        except Exception as exc:
            out["decode_error"] = f"{type(exc).__name__}: {exc}"[:MAX_TEXT]
            return out
        if not isinstance(data, Mapping):
            out["decode_error"] = f"not a job message ({type(data).__name__})"
            return out
        out["arguments"] = plain(data.get("args"))
        if isinstance(data.get("cron"), Mapping):
            cron = data["cron"]
            out["trigger"] = {
                "kind": "cron",
                "expression": plain(cron.get("expression")),
                "run_count": plain(cron.get("run_count")),
                "max_runs": plain(cron.get("max_runs")),
                "failure_count": plain(cron.get("failure_count")),
                "max_failures": plain(cron.get("max_failures")),
            }
            out["schedule"] = out["trigger"]["expression"]
        elif "at" in data:
            out["trigger"] = {"kind": "at", "at": plain(data.get("at"))}
        if task not in {route.name for route in self.app.routes}:
            out["decode_error"] = f"no task named {task!r} in this app"
        return out

    def _decode_result(self, result: bytes | None) -> Any:
        serializer = self.app.configs.serializer
        if result is None or serializer is None:
            return None
        try:
            return plain(serializer.loadb(result))
        except Exception as exc:
            return f"(cannot decode: {type(exc).__name__})"

    def _live_trigger(self, job: Job[Any]) -> dict[str, Any]:
        ctx = job.cron_context
        if ctx is None:
            return {"kind": "at", "at": iso(job.exec_at, self.tz)}
        return {
            "kind": "cron",
            "expression": ctx.cron.expression,
            "run_count": ctx.run_count,
            "max_runs": ctx.cron.max_runs,
            "failure_count": ctx.failure_count,
            "max_failures": ctx.cron.max_failures,
        }

    # --- history -------------------------------------------------------------------

    async def runs(
        self,
        *,
        job_id: str | None = None,
        before: int | None = None,
        limit: int = 50,
        failed_only: bool = False,
    ) -> RunsPage | None:
        """Runs newest first, before the run id ``before``; None when the storage keeps none."""
        self.check_started()
        storage = self.storage
        if not isinstance(storage, HistoryStorage):
            return None
        found = await storage.get_runs(
            job_id=job_id, before=before, limit=limit + 1, failed_only=failed_only
        )
        page = list(found[:limit])
        next_before = page[-1][0] if len(found) > limit and page else None
        return RunsPage([run_json(run_id, run, self.tz) for run_id, run in page], next_before)

    async def newest_run(self) -> int | None:
        """The id of the newest run kept, for change detection; None without history."""
        storage = self.storage
        if not self.started or not isinstance(storage, HistoryStorage):
            return None
        found = await storage.get_runs(limit=1)
        return found[0][0] if found else None

    # --- the cluster ---------------------------------------------------------------

    async def nodes(self) -> list[dict[str, Any]] | None:
        """The cluster's nodes; None when the storage is not a cluster that can list them."""
        self.check_started()
        storage = self.storage
        if not isinstance(storage, ClusterView):
            return None
        infos: Sequence[NodeInfo] = await storage.nodes()
        return [
            {
                "name": info.name,
                "alive": info.alive,
                "lease_expires_at": iso(info.lease_expires_at, self.tz),
                "jobs_owned": info.jobs_owned,
                "this_node": info.this_node,
            }
            for info in infos
        ]

    # --- actions -------------------------------------------------------------------

    async def act(self, action: str, job_id: str) -> bool:
        """Pause, resume, run now or cancel ``job_id``; False when no such job.

        Raises:
            ValueError: an unknown action.
            ActionError: the app refused (its message says why and what to do).
        """
        self.check_started()
        app = self.app
        operations: dict[str, Callable[[str], Awaitable[bool]]] = {
            "pause": app.pause_job,
            "resume": app.resume_job,
            "run": app.run_job_now,
            "cancel": app.cancel_job,
        }
        operation = operations.get(action)
        if operation is None:
            msg = f"unknown action {action!r}; use one of {', '.join(ACTIONS)}"
            raise ValueError(msg)
        try:
            return await operation(job_id)
        except RuntimeError as exc:
            raise ActionError(str(exc)) from None
