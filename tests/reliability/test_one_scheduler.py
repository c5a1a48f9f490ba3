"""One SQLite file, one scheduler: a second `jobify run` on the database is refused.

Real processes: the first `jobify run` schedules durable jobs and runs an
every-second cron job; a second `jobify run` on the same file must exit
non-zero at startup with a message that names the database, the holder and the
ways out. Every job and every cron second runs once, checked from a ledger the
tasks write. A holder killed with SIGKILL leaves nothing stale, and
`jobify jobs` reads while the scheduler runs.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

JOBS = 20

APP = f"""
import os
from jobify import INJECT, Cron, JobContext, Jobify

app = Jobify()


def note(line):
    fd = os.open("ledger.txt", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, (line + "\\n").encode())
    os.close(fd)


@app.task
async def record(n: int) -> None:
    note(f"job {{n}} {{os.getpid()}}")


@app.task(cron=Cron("* * * * * * *"))
async def tick(ctx: JobContext = INJECT) -> None:
    # the second it was planned for: a second run twice would show
    note(f"tick {{ctx.job.exec_at:%H:%M:%S}} {{os.getpid()}}")


async def seed(app):
    if os.environ.get("SEED_JOBS"):
        for n in range({JOBS}):
            await record.schedule(n).delay(3, job_id=f"job-{{n}}")

"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path), **extra}
    env.pop("JOBIFY_CONFIG", None)
    return env


def _write_app(tmp_path: Path) -> None:
    (tmp_path / "svc.py").write_text(APP)
    (tmp_path / "jobify.toml").write_text(
        '[jobify]\napp = "svc:app"\non_start = "svc:seed"\n[jobify.storage]\nuse = "sqlite"\ndatabase = "jobs.db"\n'
    )


def _run(tmp_path: Path, ready: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "jobify.cli", "run", "--ready-file", str(tmp_path / ready)],
        cwd=tmp_path, env=_env(tmp_path, **env), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _wait_ready(proc: subprocess.Popen[str], ready: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "app did not start"
        time.sleep(0.05)


def _ledger(tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "ledger.txt"
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def test_a_second_jobify_run_on_one_file_is_refused(
    tmp_path: Path, figures: dict[str, str]
) -> None:
    _write_app(tmp_path)
    first = _run(tmp_path, "ready1", SEED_JOBS="1")
    second: subprocess.Popen[str] | None = None
    out2: str | None = None
    try:
        _wait_ready(first, tmp_path / "ready1")
        began = time.monotonic()
        second = _run(tmp_path, "ready2")
        # still running after 30 s: a second scheduler, and the ledger shows what it did
        with contextlib.suppress(subprocess.TimeoutExpired):
            out2, _ = second.communicate(timeout=30)
        refused_in = time.monotonic() - began
        # the jobs fall due 3 s after seeding; the cron job runs every second meanwhile
        deadline = time.monotonic() + 60
        while sum(r[0] == "job" for r in _ledger(tmp_path)) < JOBS:
            assert first.poll() is None, first.communicate()[0]
            assert time.monotonic() < deadline, _ledger(tmp_path)
            time.sleep(0.1)
        time.sleep(2)  # a duplicate run, had there been one, would have landed by now
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        out1, _ = first.communicate(timeout=30)
        if second is not None and out2 is None:
            second.communicate(timeout=30)
    rows = _ledger(tmp_path)
    runs = collections.Counter(int(r[1]) for r in rows if r[0] == "job")
    ticks = collections.Counter(r[1] for r in rows if r[0] == "tick")
    outcome = (
        f"{JOBS} durable jobs ran {sum(runs.values())} times; every-second cron: "
        f"{sum(ticks.values())} runs over {len(ticks)} distinct seconds, by "
        f"{len({r[-1] for r in rows})} process(es)"
    )
    assert out2 is not None, f"the second `jobify run` ran as a second scheduler: {outcome}"
    assert second is not None
    assert second.returncode != 0, out2
    assert not (tmp_path / "ready2").exists()
    database = str(tmp_path / "jobs.db")
    assert f"SQLite file {database!r}, table 'jobify_schedules' already has a scheduler" in out2
    assert f"process {first.pid} on host {socket.gethostname()!r}, running since" in out2
    assert '[jobify] role = "producer"' in out2
    assert 'role="producer"' in out2
    assert '[jobify.storage] use = "postgres"' in out2
    assert "Traceback" not in out2
    assert first.returncode == 0, out1
    assert runs == dict.fromkeys(range(JOBS), 1), outcome
    assert len(ticks) >= 3, rows
    assert max(ticks.values()) == 1, [s for s, n in ticks.items() if n > 1]
    assert {r[-1] for r in rows} == {str(first.pid)}
    figures["two `jobify run` on one SQLite file"] = (
        f"the second exited {second.returncode} in {refused_in:.2f}s; {outcome}"
    )


def test_a_scheduler_killed_with_sigkill_leaves_no_stale_lock(
    tmp_path: Path, figures: dict[str, str]
) -> None:
    _write_app(tmp_path)
    first = _run(tmp_path, "ready1")
    _wait_ready(first, tmp_path / "ready1")
    first.kill()
    first.communicate(timeout=30)
    began = time.monotonic()
    second = _run(tmp_path, "ready2")
    try:
        _wait_ready(second, tmp_path / "ready2")
        took = time.monotonic() - began
    finally:
        second.send_signal(signal.SIGTERM)
        out2, _ = second.communicate(timeout=30)
    assert second.returncode == 0, out2
    assert "already has a scheduler" not in out2
    figures["new scheduler after SIGKILL of the holder"] = f"started (ready) in {took:.2f}s"


def test_jobify_jobs_reads_while_the_scheduler_runs(tmp_path: Path) -> None:
    _write_app(tmp_path)
    first = _run(tmp_path, "ready1", SEED_JOBS="1")
    try:
        _wait_ready(first, tmp_path / "ready1")
        listing = subprocess.run(
            [sys.executable, "-m", "jobify.cli", "jobs", "--json"], cwd=tmp_path,
            env=_env(tmp_path), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        first.send_signal(signal.SIGTERM)
        out1, _ = first.communicate(timeout=30)
    assert listing.returncode == 0, listing.stderr
    document = json.loads(listing.stdout)
    assert (
        document["storage"]
        == f"SQLite file {str(tmp_path / 'jobs.db')!r}, table 'jobify_schedules'"
    )
    ids = {job["id"] for job in document["jobs"]}
    assert {f"job-{n}" for n in range(JOBS)} <= ids
    assert first.returncode == 0, out1
    assert "already has a scheduler" not in out1 + listing.stderr
