"""SIGTERM / SIGINT to `jobify run` with durable jobs pending: exit 0, jobs kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

APP = """
import asyncio, os
from jobify import Jobify

app = Jobify()


def note(line):
    fd = os.open("ledger.txt", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, (line + "\\n").encode())
    os.fsync(fd)
    os.close(fd)


@app.task
async def record(tag: str) -> None:
    note(f"ran {tag} {os.getpid()}")


@app.task
async def slow() -> None:
    note(f"slow-start {os.getpid()}")
    await asyncio.sleep(3600)


async def seed(app):
    if os.environ.get("SEED_JOBS"):
        for i in range(50):
            await record.schedule(f"d{i}").delay(2.5, job_id=f"d{i}")
        await slow.schedule().push(job_id="slow")
        note("seeded")

"""


def _ledger(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _start(tmp_path: Path, *, seed: bool) -> subprocess.Popen[str]:
    ready = tmp_path / "ready"
    ready.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("JOBIFY_CONFIG", None)
    env.pop("SEED_JOBS", None)
    if seed:
        env["SEED_JOBS"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobify.cli", "run", "--ready-file", str(ready)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "app did not start"
        time.sleep(0.05)
    return proc


def _stop(proc: subprocess.Popen[str], sig: signal.Signals) -> float:
    began = time.monotonic()
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=20)
    took = time.monotonic() - began
    assert proc.returncode == 0, out
    assert "Jobify shut down" in out, out
    assert took < 5, f"graceful shutdown took {took:.1f}s"
    assert "1 job(s) were still running and were cancelled" in out, out  # the slow one
    assert "slow" in out.split("were cancelled", 1)[1], out
    return took


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_keeps_durable_jobs(
    tmp_path: Path, sig: signal.Signals, figures: dict[str, str]
) -> None:
    (tmp_path / "svc.py").write_text(APP)
    (tmp_path / "jobify.toml").write_text(
        '[jobify]\napp = "svc:app"\non_start = "svc:seed"\nshutdown_grace = 0.5\n'
        '[jobify.storage]\nuse = "sqlite"\ndatabase = "jobs.db"\n'
    )
    book = tmp_path / "ledger.txt"
    first = _start(tmp_path, seed=True)
    deadline = time.monotonic() + 10
    while not any(line.startswith("slow-start") for line in _ledger(book)):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert "seeded" in _ledger(book)
    took_first = _stop(first, sig)  # 50 delayed jobs pending, one running
    assert not [line for line in _ledger(book) if line.startswith("ran ")]

    second = _start(tmp_path, seed=False)
    try:
        deadline = time.monotonic() + 15
        while True:
            lines = _ledger(book)
            ran = [line for line in lines if line.startswith("ran ")]
            restarted = [line for line in lines if line == f"slow-start {second.pid}"]
            if len(ran) >= 50 and restarted:
                break
            assert time.monotonic() < deadline, lines
            time.sleep(0.05)
    finally:
        took_second = _stop(second, sig)
    ran = sorted(line.split()[1] for line in _ledger(book) if line.startswith("ran "))
    assert ran == sorted(f"d{i}" for i in range(50)), "each kept job ran once after the restart"
    figures[f"{sig.name} to jobify run"] = (
        f"exit 0 in {took_first:.2f}s / {took_second:.2f}s; 50 pending + 1 running job kept"
    )
