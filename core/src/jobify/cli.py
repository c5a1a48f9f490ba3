"""The ``jobify`` command: run an app, list plugins, check a config, list stored jobs.

``jobify run [APP] [--config FILE]`` imports ``APP`` (``module:attribute``,
default: ``app`` of the config file), starts it and serves until SIGINT or
SIGTERM, then shuts down gracefully (exit code 0). The config file is
exported as ``$JOBIFY_CONFIG`` first, so the app's own ``Jobify()`` reads it.

With ``[jobify.logging] json = true``, ``jobify run`` writes its log as JSON
lines (:mod:`jobify.logs`).

``jobify jobs [--json] [--task NAME] [--status STATUS]`` lists the stored jobs
without changing anything: a storage with the
:class:`~jobify.storage.InspectableStorage` ability is read through its
``read_only()`` copy (a missing database is an error, never created) and named
with ``describe()``; with :class:`~jobify.storage.ControlStorage` the listing
shows paused jobs, with :class:`~jobify.storage.HistoryStorage` each job's
last run. ``jobify jobs pause|resume|run|cancel ID`` stores the change through
the storage's ``ControlStorage`` ability, without starting an app (no
scheduler lock) and only in a database that exists; the scheduler running on
it picks the change up through its change feed. ``jobify jobs history ID``
reads the run history. The command knows no storage by name.

Every subcommand resolves ``"module:attr"`` (the app, ``use = "pkg.mod:Cls"``)
the same way, with the current directory first on the import path, as
``python -m`` has it; ``jobify check`` assembles the config as the app's
startup does, so an option a plugin would refuse fails the check too.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple
from zoneinfo import ZoneInfo

from jobify._assembly import discovery
from jobify._assembly.assemble import assemble
from jobify._assembly.catalog import CAPABILITIES, import_target
from jobify._assembly.config import CONFIG_ENV, Settings, find_config
from jobify._kernel.arguments import ExtraArguments
from jobify._kernel.runner import Alerts
from jobify._kernel.values import JobStatus
from jobify.exceptions import BaseJobifyError, StorageNotFoundError
from jobify.hookspecs import CONTRACT_TESTS_ATTR
from jobify.logs import use_json
from jobify.storage import (
    ControlStorage,
    HistoryStorage,
    InspectableStorage,
    JobOutcome,
    ResultStorage,
    RunRecord,
    Storage,
    StoredJob,
)

if TYPE_CHECKING:
    from jobify._kernel.app import Jobify

__all__ = ("main",)


class CommandError(Exception):
    """A user error: printed without a traceback, exit code 1 (2 for usage)."""


def _settings(config: str | None) -> Settings:
    path = Path(config) if config else find_config()
    return Settings.from_toml(path) if path is not None else Settings()


def _import_from_cwd() -> None:
    """Put the current directory first on the import path, for every subcommand."""
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)


def _load_app(ref: str) -> Jobify:
    from jobify._kernel.app import Jobify

    obj = import_target(ref, "jobify run")
    if callable(obj) and not isinstance(obj, Jobify):
        obj = obj()
    if not isinstance(obj, Jobify):
        msg = f"jobify run: {ref!r} is {obj!r}, not a Jobify app"
        raise CommandError(msg)
    return obj


async def _serve(
    app: Jobify, ready_file: str | None, on_start: Callable[[Jobify], Any] | None = None
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with app:
            if on_start is not None:  # [jobify] on_start: the app accepts jobs now
                result = on_start(app)
                if inspect.isawaitable(result):
                    await result
            logging.getLogger("jobify").info("serving; press Ctrl+C to stop")
            if ready_file:
                Path(ready_file).write_text(str(os.getpid()))  # noqa: ASYNC240 - tiny, once
            await stop.wait()
            logging.getLogger("jobify").info("stopping")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def cmd_run(args: argparse.Namespace) -> int:
    """Run an app until SIGINT / SIGTERM."""
    config = args.config or (str(find_config()) if find_config() else None)
    settings = _settings(config)
    if settings.logging is not None and settings.logging.json:
        use_json()  # every line this process writes is JSON, with the run's fields
    if config:
        os.environ[CONFIG_ENV] = str(Path(config).resolve())
    ref = args.app or settings.app
    if not ref:
        msg = (
            "jobify run: no app given. Pass one (jobify run package.module:app) or set "
            'app = "package.module:app" under [jobify] in jobify.toml'
        )
        raise CommandError(msg)
    app = _load_app(ref)
    on_start = None
    if settings.on_start and not args.app:  # it goes with the configured app
        on_start = import_target(settings.on_start, f"{settings.source} [jobify] on_start")
    asyncio.run(_serve(app, args.ready_file, on_start))
    return 0


def cmd_plugins(args: argparse.Namespace) -> int:
    """List plugin distributions: version, what each registers, its contract suite."""
    settings = _settings(args.config)
    asm = assemble(settings)
    by_plugin: dict[str, list[str]] = {}
    for capability in CAPABILITIES:
        for offer in asm.catalog.offers[capability].values():
            mark = " (default)" if offer.default else ""
            by_plugin.setdefault(offer.plugin, []).append(f"{capability} {offer.name!r}{mark}")
    for table in asm.table_offers.values():
        by_plugin.setdefault(table.plugin, []).append(f"config table [jobify.{table.name}]")
    plugins = discovery.installed_plugins() if discovery.autoload_enabled() else ()
    if not plugins:
        print("no plugin distributions installed (the kernel alone: no storage, async tasks)")
    for info in plugins:
        state = " [disabled]" if info.name in settings.disable else ""
        print(f"{info.name}  {info.dist} {info.version}{state}")
        for line in by_plugin.get(info.name, []) or ["registers nothing"]:
            print(f"    {line}")
        print(f"    contract suite: {_contract_suite(info)}")
    return 0


def _contract_suite(info: discovery.PluginInfo) -> str:
    """What the plugin's hook module declares in ``JOBIFY_CONTRACT_TESTS``, and if it exists.

    The file is looked for under the project root of a source-tree install
    (``direct_url.json``, e.g. ``pip install -e``), then among the files the
    distribution installed; a wheel usually ships no tests, which is shown.
    """
    try:
        declared = getattr(info.load(), CONTRACT_TESTS_ATTR, None)
    except BaseJobifyError as exc:
        return f"unknown (the hook module does not import: {exc.__cause__!r})"
    if not declared:
        return f"none declared (set {CONTRACT_TESTS_ATTR} in {info.value})"
    return f"{declared} ({discovery.locate_file(info.dist, str(declared))})"


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a config file by assembling it; print what it resolves to."""
    path = Path(args.config) if args.config else find_config()
    if path is None:
        msg = (
            "jobify check: no config file found (looked for $JOBIFY_CONFIG, ./jobify.toml, "
            "./pyproject.toml [tool.jobify]); pass --config FILE"
        )
        raise CommandError(msg)
    settings = Settings.from_toml(path)
    asm = assemble(settings)
    print(f"{path}: ok")
    storage = asm.storage
    print(f"  storage:     {'off' if storage in (None, False) else type(storage).__name__}")
    print(f"  serializer:  {type(asm.serializer).__name__ if asm.serializer else 'none'}")
    print(f"  typeadapter: {type(asm.typeadapter).__name__ if asm.typeadapter else 'identity'}")
    print(f"  cron:        {asm.cron_source}")
    print(f"  executors:   {', '.join(asm.executors) or 'loop default thread pool'}")
    print(f"  middleware:  {', '.join(type(m).__name__ for m in asm.middleware) or 'none'}")
    for name in asm.tables:
        offer = asm.table_offers[name]
        print(f"  [{settings.prefix}.{name}]: {offer.dist} (plugin {offer.plugin!r})")
    if settings.app:
        print(f"  app:         {settings.app}")
    return 0


async def _list_jobs(storage: Storage) -> list[_Listed]:
    """Every stored job with its flags (set-aside rows too) and, with history, its last run."""
    await storage.startup()
    try:
        stored: list[StoredJob] = []
        if isinstance(storage, ControlStorage):
            after: str | None = None
            while page := await storage.list_jobs(after=after, limit=_PAGE):
                stored += page
                after = page[-1].row.job_id
        else:
            stored = [StoredJob(row) for row in await storage.get_schedules()]
            quarantined = getattr(storage, "get_quarantined", None)  # no protocol names it
            if quarantined is not None:
                stored += [StoredJob(r, set_aside=why) for r, why in await quarantined()]
        last: list[RunRecord | None] = [None] * len(stored)
        if isinstance(storage, HistoryStorage) and stored:
            runs = await asyncio.gather(
                *(storage.get_runs(job_id=s.row.job_id, limit=1) for s in stored)
            )
            last = [found[0][1] if found else None for found in runs]
        return [_Listed(s, run) for s, run in zip(stored, last, strict=True)]
    finally:
        await storage.shutdown()


class _Listed(NamedTuple):
    stored: StoredJob
    last_run: RunRecord | None


_PAGE: Final = 500
"""Rows per ``list_jobs`` page read by ``jobify jobs``."""

SET_ASIDE: Final = "set-aside"
"""The ``--status`` of rows the app set aside (task gone, message undecodable)."""
PAUSED: Final = "paused"
"""The ``--status`` of paused jobs (``jobify jobs pause ID``)."""


def _printable(text: str) -> str:
    """Escape what a terminal would act on: ESC, newlines, bidi controls, as Python escapes.

    Ids, task names and reasons are data from the database: printed raw, an
    id holding an escape sequence could rewrite the terminal's title or hide
    rows. An ESC character is printed as the four characters backslash, x, 1, b.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _storage_origin(settings: Settings) -> str:
    """Where the storage configuration came from, for the error of a missing database."""
    if settings.storage is not None:
        return f"the storage is configured in {settings.storage.where}"
    if settings.source is not None:
        return f"the storage is the default one: {settings.source} has no [jobify.storage] table"
    return (
        f"the storage is the default one: no config file was found in {Path.cwd()} (looked "
        f"for ${CONFIG_ENV}, ./jobify.toml, ./pyproject.toml [tool.jobify]); pass --config FILE"
    )


def _when(value: datetime | None, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    try:
        return value.astimezone(tz).isoformat()
    except (OverflowError, ValueError):  # a set-aside row's unreadable time (datetime.min)
        return None


def _status_of(stored: StoredJob) -> str:
    if stored.set_aside is not None:
        return SET_ASIDE
    if stored.paused:
        return PAUSED
    status = stored.row.status
    return getattr(status, "value", str(status))


def _run_record(run: RunRecord, tz: ZoneInfo, run_id: int | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {} if run_id is None else {"run_id": run_id}
    record.update(
        status=run.status.value,
        planned_at=_when(run.planned_at, tz),
        started_at=_when(run.started_at, tz),
        finished_at=_when(run.finished_at, tz),
        duration_seconds=round((run.finished_at - run.started_at).total_seconds(), 6),
        attempt=run.attempt,
        node=run.node,
        error=run.error_message,
    )
    if run_id is not None:
        record["result"] = run.result_summary
    return record


def _missed(listed: _Listed, alerts: Alerts, now: datetime) -> dict[str, float] | None:
    """What ``[jobify.alerts]`` would call missed about a listed job; None: nothing.

    ``start``: seconds its next run is overdue past ``start_grace`` (not started
    yet: the scheduler is down or saturated); ``finish``: seconds its last run
    took past ``run_grace``. A paused or set-aside job is never missed.
    """
    stored, last = listed
    if stored.paused or stored.set_aside is not None:
        return None
    missed: dict[str, float] = {}
    row = stored.row
    if alerts.start_grace is not None and row.status == JobStatus.SCHEDULED:
        try:
            late = now - row.next_run_at
        except (OverflowError, TypeError):
            late = None
        if late is not None and late > alerts.start_grace:
            missed["start"] = round(late.total_seconds(), 3)
    if alerts.run_grace is not None and last is not None:
        took = last.finished_at - last.started_at
        if took > alerts.run_grace:
            missed["finish"] = round((took - alerts.run_grace).total_seconds(), 3)
    return missed or None


def _missed_text(missed: dict[str, float] | None) -> str:
    if not missed:
        return ""
    parts = []
    if "start" in missed:
        parts.append(f"missed: not started, {_duration(missed['start'])} late")
    if "finish" in missed:
        parts.append(f"last run {_duration(missed['finish'])} over run_grace")
    return f" ({'; '.join(parts)})"


def _job_record(listed: _Listed, tz: ZoneInfo, alerts: Alerts, now: datetime) -> dict[str, Any]:
    stored, last = listed
    row = stored.row
    return {
        "id": row.job_id,
        "task": row.name,
        "status": _status_of(stored),
        "next_run_at": _when(row.next_run_at, tz),
        "set_aside_reason": stored.set_aside,
        "paused": stored.paused,
        "run_requested": stored.run_requested,
        "last_run": None if last is None else _run_record(last, tz),
        "missed": _missed(listed, alerts, now),
    }


def _write(lines: Sequence[str]) -> None:
    """Print ``lines``; a reader that went away (``| head -1``) ends the output quietly."""
    try:
        for line in lines:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # the rest has no reader; point stdout at /dev/null so the flush at exit is quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(c) for c in col) for col in zip(header, *rows, strict=False)]
    return [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=False)).rstrip()
        for line in (header, *rows)
    ]


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {seconds % 60:02.0f} s"


class _Target(NamedTuple):
    """The configured storage, as ``jobify jobs`` reaches it, and what the app keeps."""

    storage: Storage
    where: str
    settings: Settings
    extra: ExtraArguments
    tz: ZoneInfo


def _target(args: argparse.Namespace) -> _Target | None:
    """The configured storage (not started) and where it is; None when storage is off."""
    settings = _settings(args.config)
    extra = ExtraArguments.from_settings(settings)
    asm = assemble(settings)
    tz = ZoneInfo(settings.tz or "UTC")
    storage = asm.storage
    if storage in (None, False):
        return None
    assert isinstance(storage, Storage)  # noqa: S101 - assembly checked it
    where = (
        storage.describe() if isinstance(storage, InspectableStorage) else type(storage).__name__
    )
    return _Target(storage, where, settings, extra, tz)


def _missing(exc: StorageNotFoundError, target: _Target, command: str) -> CommandError:
    return CommandError(f"{command}: {exc}; {_storage_origin(target.settings)}")


def _jobs_table(shown: list[dict[str, Any]], tz: ZoneInfo, *, with_history: bool) -> list[str]:
    """The lines of ``jobify jobs``'s table (none for no job)."""
    if not shown:
        return []
    header = ["ID", "TASK", "STATUS", f"NEXT RUN ({tz.key})"]
    if with_history:
        header += ["LAST RUN", "TOOK"]
    table = []
    for r in shown:
        line = [
            _printable(r["id"]),
            _printable(r["task"]),
            f"set aside: {_printable(r['set_aside_reason'])}"
            if r["set_aside_reason"]
            else r["status"]
            + (" (run requested)" if r["run_requested"] else "")
            + _missed_text(r["missed"]),
            "unknown" if r["next_run_at"] is None else r["next_run_at"].replace("T", " "),
        ]
        if with_history:
            last = r["last_run"]
            line += (
                ["-", "-"]
                if last is None
                else [last["status"], _duration(last["duration_seconds"])]
            )
        table.append(line)
    return _table(header, table)


def cmd_jobs(args: argparse.Namespace) -> int:
    """List the jobs held in the configured storage, reading only; or act on one.

    A storage with the ``InspectableStorage`` ability is read through
    ``read_only()`` (nothing is created, nothing changes) and named with
    ``describe()``; any other storage is started as an app would start it.
    ``pause``, ``resume``, ``run`` and ``cancel`` write through the storage's
    ``ControlStorage`` ability, without starting an app (no scheduler lock),
    and only into a database that exists.
    """
    action = getattr(args, "action", None)
    if action in _ACTIONS:
        return _act(args, action)
    if action == "history":
        return _history(args)
    target = _target(args)
    tz = ZoneInfo(_settings(args.config).tz or "UTC") if target is None else target.tz
    if target is None:
        if args.json:
            _write([json.dumps({"storage": None, "time_zone": tz.key, "count": 0, "jobs": []})])
        else:
            _write(["storage is off: no stored jobs"])
        return 0
    storage = target.storage
    reader = storage.read_only() if isinstance(storage, InspectableStorage) else storage
    try:
        listed = asyncio.run(_list_jobs(reader))
    except StorageNotFoundError as exc:
        raise _missing(exc, target, "jobify jobs") from None
    with_history = isinstance(reader, HistoryStorage)
    now = datetime.now(UTC)
    records = [
        _job_record(item, tz, target.extra.alerts, now)
        for item in sorted(
            listed, key=lambda i: (_sort_time(i.stored.row.next_run_at), i.stored.row.job_id)
        )
    ]
    shown = [
        r
        for r in records
        if (args.task is None or r["task"] == args.task)
        and (args.status is None or r["status"] == args.status)
    ]
    if args.json:
        document = {
            "storage": target.where, "time_zone": tz.key, "count": len(shown),
            "total": len(records), "jobs": shown,
        }  # fmt: skip
        _write([json.dumps(document, indent=2, ensure_ascii=False)])
        return 0
    count = f"{len(shown)} job(s)"
    if len(shown) != len(records):
        filters = [f"--{k} {v}" for k, v in (("task", args.task), ("status", args.status)) if v]
        count = f"{len(shown)} of {len(records)} job(s) ({', '.join(filters)})"
    lines = _jobs_table(shown, tz, with_history=with_history)
    lines.append(f"{count} in {_printable(target.where)}")
    _write(lines)
    return 0


def _sort_time(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return datetime.min.replace(tzinfo=UTC)


# --- acting on one job -------------------------------------------------------------------

_ACTIONS: Final = {
    "pause": "paused",
    "resume": "resumed",
    "run": "asked to run now",
    "cancel": "cancelled",
}


async def _probe(storage: Storage) -> None:
    """Open ``storage`` read-only and close it: raises StorageNotFoundError if it is missing."""
    if isinstance(storage, InspectableStorage):
        reader = storage.read_only()
        await reader.startup()
        await reader.shutdown()


async def _apply(target: _Target, action: str, job_id: str) -> str | None:
    """Store ``action`` on ``job_id``; None when done, else why not (for the error)."""
    storage = target.storage
    await _probe(storage)  # never create a database (or a table) to act on nothing
    await storage.startup()
    try:
        if not isinstance(storage, ControlStorage):
            return (
                f"{type(storage).__name__} keeps no control state (pause, resume, run now, "
                "cancel); use a storage that does (SQLite, PostgreSQL), or call "
                f"app.{action}_job(...) in the scheduler's process"
            )
        stored = await storage.get_stored_job(job_id)
        if stored is None:
            return await _not_stored(storage, job_id, target)
        if stored.set_aside is not None and action != "cancel":
            return (
                f"job {_printable(repr(job_id))} is set aside ({_printable(stored.set_aside)}): "
                "it does not run; fix its task or cancel it"
            )
        if action in ("pause", "resume"):
            found = await storage.set_paused(job_id, paused=action == "pause")
        elif action == "run":
            found = await storage.request_run(job_id)
        else:
            found = True
            if isinstance(storage, ResultStorage) and target.extra.results_ttl > 0:
                when = datetime.now(UTC)
                cancelled = JobOutcome(
                    job_id, stored.row.name, JobStatus.CANCELLED, None, None, when
                )
                await storage.finish_jobs(cancelled)  # a producer awaiting it hears of it
            else:
                await storage.delete_schedule(job_id)
        return None if found else await _not_stored(storage, job_id, target)
    finally:
        await storage.shutdown()


async def _not_stored(storage: Storage, job_id: str, target: _Target) -> str:
    text = f"no job {_printable(repr(job_id))} in {_printable(target.where)}"
    if isinstance(storage, ResultStorage):
        done = await storage.get_outcome(job_id)
        if done is not None:
            when = _when(done.finished_at, target.tz)
            return f"{text}: it finished ({done.status.value}, {when})"
    return f"{text}; `jobify jobs` lists the stored ones"


def _act(args: argparse.Namespace, action: str) -> int:
    command = f"jobify jobs {action}"
    target = _target(args)
    if target is None:
        msg = f"{command}: storage is off ([jobify.storage] use = false): no stored jobs"
        raise CommandError(msg)
    logging.getLogger().setLevel(logging.WARNING)  # the storage's own startup lines are noise here
    try:
        failure = asyncio.run(_apply(target, action, args.job_id))
    except StorageNotFoundError as exc:
        raise _missing(exc, target, command) from None
    if failure is not None:
        msg = f"{command}: {failure}"
        raise CommandError(msg)
    shown = _printable(repr(args.job_id))
    _write([f"job {shown} {_ACTIONS[action]} in {_printable(target.where)}"])
    return 0


# --- run history ------------------------------------------------------------------------


async def _read_history(
    storage: Storage, job_id: str, limit: int
) -> tuple[list[tuple[int, RunRecord]], bool]:
    """The newest runs of ``job_id``, and whether the job is known at all."""
    await storage.startup()
    try:
        runs: list[tuple[int, RunRecord]] = []
        if isinstance(storage, HistoryStorage):
            runs = list(await storage.get_runs(job_id=job_id, limit=limit))
        known = bool(runs)
        if not known and isinstance(storage, ControlStorage):
            known = await storage.get_stored_job(job_id) is not None
        if not known and isinstance(storage, ResultStorage):
            known = await storage.get_outcome(job_id) is not None
        return runs, known
    finally:
        await storage.shutdown()


def _history(args: argparse.Namespace) -> int:
    command = "jobify jobs history"
    target = _target(args)
    if target is None:
        msg = f"{command}: storage is off ([jobify.storage] use = false): no run history"
        raise CommandError(msg)
    storage = target.storage
    if not isinstance(storage, HistoryStorage):
        msg = f"{command}: {type(storage).__name__} keeps no run history"
        raise CommandError(msg)
    reader = storage.read_only() if isinstance(storage, InspectableStorage) else storage
    try:
        runs, known = asyncio.run(_read_history(reader, args.job_id, args.limit))
    except StorageNotFoundError as exc:
        raise _missing(exc, target, command) from None
    shown = _printable(repr(args.job_id))
    if not known:
        msg = f"{command}: no job {shown} in {_printable(target.where)} (no row, no run recorded)"
        raise CommandError(msg)
    tz = target.tz
    if args.json:
        document = {
            "storage": target.where, "time_zone": tz.key, "job_id": args.job_id,
            "count": len(runs), "runs": [_run_record(run, tz, run_id) for run_id, run in runs],
        }  # fmt: skip
        _write([json.dumps(document, indent=2, ensure_ascii=False)])
        return 0
    lines: list[str] = []
    if runs:
        header = [f"STARTED ({tz.key})", "STATUS", "TOOK", "ATTEMPT", "LATE", "ERROR"]
        table = []
        for _run_id, run in runs:
            late = (run.started_at - run.planned_at).total_seconds()
            table.append([
                (_when(run.started_at, tz) or "?").replace("T", " "),
                run.status.value,
                _duration((run.finished_at - run.started_at).total_seconds()),
                str(run.attempt),
                _duration(max(0.0, late)),
                _printable((run.error_message or "")[:80]),
            ])  # fmt: skip
        lines += _table(header, table)
    off = (
        ""
        if target.extra.history is not None
        else " (run history is off: [jobify.history] enabled = true keeps it)"
    )
    lines.append(
        f"{len(runs)} run(s) of job {shown}, newest first, in {_printable(target.where)}{off}"
    )
    _write(lines)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``jobify`` command."""
    parser = argparse.ArgumentParser(prog="jobify", description="The jobify job scheduler.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run an app until SIGINT/SIGTERM")
    run.add_argument("app", nargs="?", help="module:attribute of the app (default: [jobify] app)")
    run.add_argument("--ready-file", help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)
    for name, func, help_ in (
        ("plugins", cmd_plugins, "list installed plugin distributions"),
        ("check", cmd_check, "validate a config file"),
        ("jobs", cmd_jobs, "list jobs held in the configured storage"),
    ):
        p = sub.add_parser(name, help=help_)
        p.set_defaults(func=func)
    for p in sub.choices.values():
        p.add_argument("--config", "-c", help="config file (default: lookup of jobify.toml)")
    jobs = sub.choices["jobs"]
    jobs.add_argument("--json", action="store_true", help="print one JSON document")
    jobs.add_argument("--task", metavar="NAME", help="only the jobs of this task")
    jobs.add_argument(
        "--status",
        choices=[*(s.value for s in JobStatus), PAUSED, SET_ASIDE],
        help="only this status",
    )
    actions = jobs.add_subparsers(dest="action", metavar="{pause,resume,run,cancel,history}")
    for name, help_ in (
        ("pause", "pause a job: it is kept (a cron job keeps its schedule) but does not run"),
        ("resume", "resume a paused job; a cron job's misfire policy judges what it missed"),
        ("run", "run a job once now (a cron job's schedule stays as it is)"),
        ("cancel", "cancel a job: it ends cancelled and its stored row goes"),
        ("history", "the latest runs of a job, newest first (with [jobify.history] on)"),
    ):
        action = actions.add_parser(name, help=help_, description=help_)
        action.add_argument("job_id", metavar="ID", help="the job's id (`jobify jobs` lists them)")
        action.add_argument(
            "--config", "-c", default=argparse.SUPPRESS, help="config file (default: lookup)"
        )
    history = actions.choices["history"]
    history.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )
    history.add_argument(
        "--limit", type=_positive, default=20, metavar="N", help="at most N runs (default 20)"
    )
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"expected a whole number >= 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jobify`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    _import_from_cwd()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.func(args))
    except (CommandError, BaseJobifyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
