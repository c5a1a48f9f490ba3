"""Missed-run alerts end to end: a cron run that did not start, or did not finish, within grace.

Each raises ``jobify.runs.missed{kind}`` and a WARNING with the job id and how
late; a paused job raises none. Graces are short and real time is used: a
run starts late because the event loop is blocked (as a saturated process
would be), and does not finish in time because the task sleeps.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from jobify import Jobify

EVERY_SECOND = "* * * * * * *"


def app_with_alerts(tmp_path: Path, **graces: float) -> Jobify:
    cfg = tmp_path / "jobify.toml"
    lines = "".join(f"{key} = {value}\n" for key, value in graces.items())
    cfg.write_text(f"[jobify.alerts]\n{lines}")
    return Jobify.from_config(cfg, storage=False)


def warnings_of(caplog: pytest.LogCaptureFixture, job_id: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "jobify" and r.levelno == logging.WARNING and job_id in r.getMessage()
    ]


async def test_a_cron_run_that_starts_late_raises_the_metric_and_the_log(
    tmp_path: Path, otel: Any, until: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="jobify")
    app = app_with_alerts(tmp_path, start_grace=0.3)
    runs = 0

    @app.task(name="every_second")
    async def every_second() -> None:
        nonlocal runs
        runs += 1

    async with app:
        job = await every_second.schedule().cron(EVERY_SECOND, job_id="sec")
        await until(lambda: runs >= 1)
        time.sleep(1.6)  # the loop is blocked past the next planned run (process saturated)
        await until(lambda: otel.value("jobify.runs.missed", task="every_second", kind="start"))
        await job.cancel()
    (message, *_) = warnings_of(caplog, "sec")
    assert message.startswith("cron job sec (every_second) did not start within its grace: ")
    late = float(message.rsplit(": ", 1)[1].removesuffix(" s late"))
    assert 0.3 < late < 10
    assert otel.value("jobify.runs.missed", task="every_second", kind="finish") == 0


async def test_a_cron_run_that_finishes_late_raises_the_metric_and_the_log(
    tmp_path: Path, otel: Any, until: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="jobify")
    app = app_with_alerts(tmp_path, run_grace=0.3)

    @app.task(name="slowpoke")
    async def slowpoke() -> None:
        await asyncio.sleep(1.0)

    async with app:
        job = await slowpoke.schedule().cron(EVERY_SECOND, job_id="slow")
        await until(lambda: otel.value("jobify.runs.missed", task="slowpoke", kind="finish"))
        await job.cancel()
    (message, *_) = warnings_of(caplog, "slow")
    assert message.startswith("cron job slow (slowpoke) did not finish within its grace: ")
    assert message.endswith(" s late")
    assert otel.value("jobify.runs.missed", task="slowpoke", kind="start") == 0
    span = otel.spans("run slowpoke")[0]  # the run that overran says so on its span
    assert "missed" in [e.name for e in span.events]


async def test_a_paused_job_raises_no_alert(
    tmp_path: Path, otel: Any, until: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="jobify")
    app = app_with_alerts(tmp_path, start_grace=0.3, run_grace=0.3)
    started = asyncio.Event()
    runs = 0

    @app.task(name="paused_while_running")
    async def paused_while_running() -> None:
        started.set()
        await asyncio.sleep(1.0)

    @app.task(name="paused_before")
    async def paused_before() -> None:
        nonlocal runs
        runs += 1

    async with app:
        running = await paused_while_running.schedule().cron(EVERY_SECOND, job_id="p-run")
        waiting = await paused_before.schedule().cron(EVERY_SECOND, job_id="p-wait")
        assert await app.pause_job("p-wait")
        await started.wait()
        assert await app.pause_job("p-run")  # paused before its run grace is over
        time.sleep(1.6)  # past p-wait's planned run
        await asyncio.sleep(1.0)  # past p-run's run grace and its end
        await running.cancel()
        await waiting.cancel()
    assert runs == 0
    assert warnings_of(caplog, "p-run") == []
    assert warnings_of(caplog, "p-wait") == []
    for task in ("paused_while_running", "paused_before"):
        for kind in ("start", "finish"):
            assert otel.value("jobify.runs.missed", task=task, kind=kind) == 0
