"""The demo app of `make demo` runs on the embedded defaults and stops on SIGINT."""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def test_demo_app_runs_every_kind_of_job(tmp_path: Path) -> None:
    shutil.copy(ROOT / "jobify.toml", tmp_path / "jobify.toml")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("JOBIFY_CONFIG", None)
    env.pop("JOBIFY_WEB_TOKEN", None)  # no token: the dashboard is not served
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobify.cli", "run"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    wanted = {"[push]", "[delay]", "[at]", "[cron]"}
    seen: list[str] = []
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 20
    try:
        while wanted - {w for w in wanted for line in seen if w in line}:
            assert time.monotonic() < deadline, "".join(seen)
            if selector.select(timeout=0.2):
                line = proc.stdout.readline()
                assert line, "".join(seen)
                seen.append(line)
    finally:
        selector.close()
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=20)
    output = "".join(seen) + rest
    assert proc.returncode == 0, output
    assert "[push]  hello, world" in output
    assert "[delay] sum of [1, 2, 3] = 6" in output
    assert "[at]    reminder: stretch your legs" in output
    assert "Jobify shut down" in output
    assert (tmp_path / "jobify.db").exists()


def test_the_demo_serves_its_dashboard_when_given_a_token(tmp_path: Path) -> None:
    """What `make demo` does: jobify.toml's [jobify.web] listen, and a token for the run."""
    config = (ROOT / "jobify.toml").read_text()
    assert '[jobify.web]\nlisten = "127.0.0.1:8765"\n' in config
    (tmp_path / "jobify.toml").write_text(config.replace("127.0.0.1:8765", "127.0.0.1:0"))
    token = "demo-token-for-this-test-only"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JOBIFY_WEB_TOKEN": token}
    env.pop("JOBIFY_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobify.cli", "run"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    seen: list[str] = []
    url = None
    try:
        deadline = time.monotonic() + 20
        while url is None:
            assert time.monotonic() < deadline, "".join(seen)
            line = proc.stdout.readline()
            assert line, "".join(seen)
            seen.append(line)
            if "dashboard: serving on " in line:
                url = line.split("dashboard: serving on ", 1)[1].strip().rstrip("/")
        with httpx.Client(base_url=url, timeout=10) as http:
            assert http.get("/").status_code == 401
            tasks = http.get("/api/tasks", headers={"Authorization": f"Bearer {token}"})
            assert tasks.status_code == 200
            assert {t["name"] for t in tasks.json()["tasks"]} >= {
                "examples.quickstart:greet", "reports:examples.quickstart:heartbeat",
            }  # fmt: skip
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=20)
    output = "".join(seen) + rest
    assert proc.returncode == 0, output
    assert token not in output
