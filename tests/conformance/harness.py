"""What a conformance scenario uses to report what a user observes.

A scenario is a short program against jobify's public API. It runs twice, once
under this project and once under jobify 0.14.0 (the reference), each in a fresh
empty working directory, and reports one JSON object with :func:`report`. The
runner compares the two objects key by key. The harness imports nothing from
jobify, so it works on both implementations.

Report what a user could see: results, statuses (``str(status)`` /
``status.value``), exception types and their public bases (:func:`exc`),
messages only where they matter, orders of events, run counts, values restored
by a second process. Never report ids, times or durations as values: report
their shape (``len(job.id) == 32``) or a timing class (:func:`within`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

MARK = "@@conformance@@ "


def report(observed: dict[str, Any]) -> None:
    """Print the scenario's observations as its one JSON line."""
    print(MARK + json.dumps(observed, sort_keys=True, default=_default), flush=True)


def _default(value: Any) -> Any:
    if isinstance(value, BaseException):
        return exc(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(repr, value))
    return repr(value)


_STOP = {"object", "BaseException", "Exception", "Generic"}


def exc(error: BaseException | None, *, message: bool = False) -> dict[str, Any] | None:
    """An exception as a user sees it: its class name and the builtin classes it is.

    ``bases`` lists the builtin exception classes in its MRO (``RuntimeError``,
    ``ValueError``, ...) and any class named ``*Error`` from jobify's public
    modules, so a user's ``except`` clauses behave alike. ``message=True``
    adds ``str(error)``.
    """
    if error is None:
        return None
    mro = type(error).__mro__
    bases = sorted(
        {
            c.__name__
            for c in mro[1:]
            if c.__name__ not in _STOP
            and (c.__module__ == "builtins" or c.__module__.split(".")[0] == "jobify")
            and not c.__name__.startswith("_")
        }
    )
    out: dict[str, Any] = {"type": type(error).__name__, "bases": bases}
    if message:
        out["message"] = str(error)
    return out


def catch(func: Any, *args: Any, message: bool = False, **kwargs: Any) -> dict[str, Any]:
    """Call ``func``; report ``{"ok": result}`` or ``{"raised": exc(...)}``."""
    try:
        return {"ok": _plain(func(*args, **kwargs))}
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return {"raised": exc(error, message=message)}


async def acatch(awaitable: Any, *, message: bool = False) -> dict[str, Any]:
    """Await ``awaitable``; report ``{"ok": result}`` or ``{"raised": exc(...)}``."""
    try:
        return {"ok": _plain(await awaitable)}
    except Exception as error:  # noqa: BLE001
        return {"raised": exc(error, message=message)}


def _plain(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


def within(seconds: float, bound: float) -> bool:
    """A timing as a class: True when ``seconds`` is at most ``bound`` (use generous bounds)."""
    return seconds <= bound


def phase() -> str:
    """The phase this process runs: ``main`` unless started by :func:`run_phase`."""
    return os.environ.get("CONFORMANCE_PHASE", "main")


def run_phase(name: str, *, timeout: float = 60) -> dict[str, Any]:
    """Run this same scenario file again in a new process (same python, same cwd) as ``name``.

    For restarts: phase ``"first"`` schedules durable jobs and exits, phase
    ``"second"`` restores them. Returns what that process reported (or its
    exit code and the end of its stderr when it reported nothing).
    """
    env = {**os.environ, "CONFORMANCE_PHASE": name}
    proc = subprocess.run(
        [sys.executable, sys.argv[0]],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    return {"exit_code": proc.returncode, "stderr_tail": proc.stderr[-300:]}
