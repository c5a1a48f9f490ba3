"""Observers are resolved at assembly: absent or disabled, the plugin is called for no job."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from jobify import Jobify
from jobify_otel.telemetry import TELEMETRY

JOBS = 50
OBSERVERS = (
    "observers_headers",
    "observers_scheduled",
    "observers_started",
    "observers_finished",
    "observers_retried",
    "observers_missed",
)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each of the plugin's per-job methods ran."""
    counted: Counter[str] = Counter()
    for name in ("headers", "started", "finished", "retried", "missed"):
        original = getattr(TELEMETRY, name)

        def counting(*args: Any, _name: str = name, _original: Any = original) -> Any:
            counted[_name] += 1
            return _original(*args)

        monkeypatch.setattr(TELEMETRY, name, counting)
    return counted


def plugin_functions(app: Jobify) -> list[str]:
    found = []
    for attr in OBSERVERS:
        found += [
            f.__qualname__ for f in getattr(app.assembly, attr) if "jobify_otel" in f.__module__
        ]
    return found


async def run_jobs(app: Jobify) -> None:
    @app.task(name="noop", retry=1)
    async def noop(x: int) -> int:
        return x

    async with app:
        jobs = [await noop.push(i) for i in range(JOBS)]
        for job in jobs:
            await job.wait()


async def test_installed_the_plugin_observes_every_job(calls: Counter[str]) -> None:
    app = Jobify(storage=False)
    assert plugin_functions(app)  # resolved at assembly ...
    await run_jobs(app)
    assert calls == {"headers": JOBS, "started": JOBS, "finished": JOBS}  # ... called per job


async def test_disabled_in_the_config_it_is_called_for_no_job(
    calls: Counter[str], tmp_path: Path
) -> None:
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.plugins]\ndisable = ["otel"]\n')
    app = Jobify.from_config(cfg, storage=False)
    assert plugin_functions(app) == []
    assert all(getattr(app.assembly, attr) == () for attr in OBSERVERS)  # nothing else observes
    await run_jobs(app)
    assert calls == {}


async def test_absent_it_is_called_for_no_job(
    calls: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")  # as if not installed
    app = Jobify(storage=False)
    assert all(getattr(app.assembly, attr) == () for attr in OBSERVERS)
    await run_jobs(app)
    assert calls == {}
