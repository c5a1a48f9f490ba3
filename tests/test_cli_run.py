"""`jobify run` serves until SIGINT/SIGTERM, then shuts down gracefully with exit code 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

APP = """
import logging
from jobify import Jobify, Cron

app = Jobify()
log = logging.getLogger("demoapp")

@app.task(cron=Cron("* * * * *"), durable=False)
async def minutely() -> None:
    log.info("tick")

class Announce:
    async def startup(self, app):
        print("plugin startup", flush=True)
    async def shutdown(self):
        print("plugin shutdown", flush=True)

app.add_plugin(Announce())


async def first_jobs(app):
    await minutely.push()
"""


def start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], Path]:
    (tmp_path / "svc.py").write_text(APP)
    (tmp_path / "jobify.toml").write_text(
        '[jobify]\napp = "svc:app"\non_start = "svc:first_jobs"\n[jobify.storage]\nuse = false\n'
    )
    ready = tmp_path / "ready"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("JOBIFY_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobify.cli", "run", "--ready-file", str(ready), *args],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "app did not start"
        time.sleep(0.05)
    return proc, ready


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_graceful_shutdown_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    proc, _ = start(tmp_path)
    time.sleep(0.2)
    began = time.monotonic()
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert time.monotonic() - began < 10
    assert "plugin shutdown" in out
    assert "demoapp: tick" in out
    assert "Jobify shut down" in out


def test_app_given_on_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "other.py").write_text("from jobify import Jobify\nmy_app = Jobify()\n")
    proc, _ = start(tmp_path, "other:my_app")
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert "tick" not in out
