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
with ``describe()``; the command knows no storage by name.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from jobify._assembly import discovery
from jobify._assembly.assemble import assemble
from jobify._assembly.catalog import CAPABILITIES, import_target
from jobify._assembly.config import CONFIG_ENV, Settings, find_config
from jobify._kernel.values import JobStatus
from jobify.exceptions import BaseJobifyError, StorageNotFoundError
from jobify.hookspecs import CONTRACT_TESTS_ATTR
from jobify.logs import use_json
from jobify.storage import InspectableStorage

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


async def _list_jobs(storage: Any) -> list[tuple[Any, str | None]]:
    await storage.startup()
    try:
        rows: list[tuple[Any, str | None]] = [(r, None) for r in await storage.get_schedules()]
        quarantined = getattr(storage, "get_quarantined", None)
        if quarantined is not None:
            rows += [(r, reason) for r, reason in await quarantined()]
        return rows
    finally:
        await storage.shutdown()


SET_ASIDE: Final = "set-aside"
"""The ``--status`` of rows the app set aside (task gone, message undecodable)."""


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


def _job_record(row: Any, reason: str | None, tz: ZoneInfo) -> dict[str, Any]:
    try:
        when = row.next_run_at.astimezone(tz).isoformat()
    except (OverflowError, ValueError):  # a set-aside row's unreadable time (datetime.min)
        when = None
    return {
        "id": row.job_id,
        "task": row.name,
        "status": SET_ASIDE if reason else getattr(row.status, "value", str(row.status)),
        "next_run_at": when,
        "set_aside_reason": reason,
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


def cmd_jobs(args: argparse.Namespace) -> int:
    """List the jobs held in the configured storage, reading only.

    A storage with the ``InspectableStorage`` ability is opened with
    ``read_only()`` (nothing is created, nothing changes) and named with
    ``describe()``; any other storage is started as an app would start it.
    """
    settings = _settings(args.config)
    asm = assemble(settings)
    tz = ZoneInfo(settings.tz or "UTC")
    storage = asm.storage
    if storage in (None, False):
        if args.json:
            _write([json.dumps({"storage": None, "time_zone": tz.key, "count": 0, "jobs": []})])
        else:
            _write(["storage is off: no stored jobs"])
        return 0
    if isinstance(storage, InspectableStorage):
        where = storage.describe()
        storage = storage.read_only()
    else:
        where = type(storage).__name__
    try:
        rows = asyncio.run(_list_jobs(storage))
    except StorageNotFoundError as exc:
        msg = f"jobify jobs: {exc}; {_storage_origin(settings)}"
        raise CommandError(msg) from None
    records = [
        _job_record(row, reason, tz)
        for row, reason in sorted(rows, key=lambda r: (r[0].next_run_at, r[0].job_id))
    ]
    shown = [
        r
        for r in records
        if (args.task is None or r["task"] == args.task)
        and (args.status is None or r["status"] == args.status)
    ]
    if args.json:
        document = {
            "storage": where, "time_zone": tz.key, "count": len(shown), "total": len(records),
            "jobs": shown,
        }  # fmt: skip
        _write([json.dumps(document, indent=2, ensure_ascii=False)])
        return 0
    count = f"{len(shown)} job(s)"
    if len(shown) != len(records):
        filters = [f"--{k} {v}" for k, v in (("task", args.task), ("status", args.status)) if v]
        count = f"{len(shown)} of {len(records)} job(s) ({', '.join(filters)})"
    lines: list[str] = []
    if shown:
        header = ("ID", "TASK", "STATUS", f"NEXT RUN ({tz.key})")
        table = [
            (
                _printable(r["id"]),
                _printable(r["task"]),
                f"set aside: {_printable(r['set_aside_reason'])}"
                if r["set_aside_reason"]
                else r["status"],
                "unknown" if r["next_run_at"] is None else r["next_run_at"].replace("T", " "),
            )
            for r in shown
        ]
        widths = [max(len(c) for c in col) for col in zip(header, *table, strict=False)]
        for line in (header, *table):
            lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=False)).rstrip())
    lines.append(f"{count} in {_printable(where)}")
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
        "--status", choices=[*(s.value for s in JobStatus), SET_ASIDE], help="only this status"
    )
    return parser


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
