"""SIGKILL at random points of a busy run, restart on the same SQLite file, check a ledger.

The worker writes (fsynced, one ``write`` per line) ``acked <id>`` once
``push`` / ``delay`` returned, ``start <id> <pid>`` / ``done <id> <pid>`` around
each run, and ``tick <run_count> <pid>`` for an every-second cron job. The
test kills it at random points, restarts it, and finally lets one process
drain everything. A job "mid-run at the kill" is one whose run had started in
the killed process and whose row was not yet deleted (deletes are batched one
loop turn after the run): only those may run again, once per kill.

``JOBIFY_RELIABILITY_SEED=<n>`` replays a run; the seed is printed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

KILL_POINTS = int(os.environ.get("JOBIFY_RELIABILITY_KILLS", "24"))

WORKER = r"""
import asyncio, os, random, signal, sys
from jobify import Cron, INJECT, JobContext, Jobify

app = Jobify.from_config("jobify.toml")
PID = str(os.getpid())
FD = os.open("ledger.txt", os.O_WRONLY | os.O_APPEND | os.O_CREAT)


def note(*words: str) -> None:
    os.write(FD, (" ".join(words) + "\n").encode())
    os.fsync(FD)


def say(word: str) -> None:
    print(word, flush=True)


@app.task
async def record(tag: str, pause: float) -> None:
    note("start", tag, PID)
    await asyncio.sleep(pause)
    note("done", tag, PID)


@app.task(cron=Cron("* * * * * * *"))
async def tick(ctx: JobContext = INJECT) -> None:
    note("tick", str(ctx.job.cron_context.run_count), PID)


async def one(rng: random.Random, tag: str) -> None:
    pause = rng.choice([0.0, 0.0, 0.01, 0.05, 0.2])
    if rng.random() < 0.5:
        await record.schedule(tag, pause).push(job_id=tag)
    else:
        await record.schedule(tag, pause).delay(rng.uniform(0.0, 1.5), job_id=tag)
    note("acked", tag)


async def main() -> None:
    cycle, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    async with app:
        say("ready")
        if cycle != "drain":
            for group in range(8):
                tags = [f"c{cycle}-{group}-{i}" for i in range(8)]
                await asyncio.gather(*(one(rng, t) for t in tags))
                if group == 0:
                    say("burst")
            say("idle")
            await asyncio.sleep(rng.uniform(0.2, 1.0))
            say("shutdown")
        else:
            stop = asyncio.Event()
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
            await stop.wait()
            return
    say("stopped")
    await asyncio.sleep(3600)


asyncio.run(main())
"""


def _read(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split() for line in path.read_text().splitlines() if line.strip()]


def _wait_line(proc: subprocess.Popen[str], word: str, timeout: float = 30) -> bool:
    """Read the worker's stdout up to ``word``; False if it ended first."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            return False
        if line.strip() == word:
            return True
    raise AssertionError(f"worker did not reach {word!r}")


@pytest.mark.slow
def test_sigkill_at_random_points_loses_nothing(tmp_path: Path, figures: dict[str, str]) -> None:
    seed = int(os.environ.get("JOBIFY_RELIABILITY_SEED", random.randrange(2**32)))
    print(f"\njobify reliability seed: {seed} (JOBIFY_RELIABILITY_SEED={seed} replays it)")
    figures["crash/restart seed"] = f"{seed} (replay: JOBIFY_RELIABILITY_SEED={seed})"
    rng = random.Random(seed)
    (tmp_path / "worker.py").write_text(WORKER)
    (tmp_path / "jobify.toml").write_text(
        '[jobify.storage]\nuse = "sqlite"\ndatabase = "jobs.db"\n'
    )
    env = {**os.environ, "JOBIFY_CONFIG": ""}
    book = tmp_path / "ledger.txt"
    killed: list[str] = []
    phases: dict[str, int] = defaultdict(int)

    for cycle in range(KILL_POINTS):
        phase = rng.choice(["burst", "idle", "shutdown"])
        proc = subprocess.Popen(
            [sys.executable, "worker.py", str(cycle), str(rng.randrange(2**32))],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert _wait_line(proc, "ready"), "the worker did not start"
            _wait_line(proc, phase)
            time.sleep(rng.uniform(0.0, {"burst": 0.3, "idle": 0.8, "shutdown": 0.02}[phase]))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            assert proc.stdout is not None
            proc.stdout.close()
        killed.append(str(proc.pid))
        phases[phase] += 1

    acked = {r[1] for r in _read(book) if r[0] == "acked"}
    drain = subprocess.Popen(
        [sys.executable, "worker.py", "drain", "0"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert _wait_line(drain, "ready")
        deadline = time.monotonic() + 30
        while True:
            rows = _read(book)
            done = {r[1] for r in rows if r[0] == "done"}
            ticks = [r for r in rows if r[0] == "tick" and r[2] == str(drain.pid)]
            if acked <= done and len(ticks) >= 2:
                break
            assert time.monotonic() < deadline, f"lost jobs: {sorted(acked - done)[:20]}"
            time.sleep(0.1)
    finally:
        drain.send_signal(signal.SIGTERM)
        assert drain.wait(15) == 0
        assert drain.stdout is not None
        drain.stdout.close()

    rows = _read(book)
    runs: dict[str, list[str]] = defaultdict(list)
    finished: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r[0] == "start":
            runs[r[1]].append(r[2])
        elif r[0] == "done":
            finished[r[1]].append(r[2])
    lost = sorted(tag for tag in acked if not finished[tag])
    assert not lost, f"acknowledged jobs never ran: {lost[:20]}"
    reruns_mid_run = reruns_after_done = 0
    for tag, pids in runs.items():
        assert len(set(pids)) == len(pids), f"{tag} ran twice in one process: {pids}"
        for pid in pids[:-1]:
            assert pid in killed, f"{tag} ran again after process {pid}, which was not killed"
            if pid in finished[tag]:
                reruns_after_done += 1
            else:
                reruns_mid_run += 1
        assert finished[tag][-1] == pids[-1]
    # the cron job's run count goes on where the killed process left it
    last: int | None = None
    for pid in [*killed, str(drain.pid)]:
        counts = [int(r[1]) for r in rows if r[0] == "tick" and r[2] == pid]
        assert counts == list(range(counts[0], counts[0] + len(counts))) if counts else True
        if counts and last is not None:
            assert last <= counts[0] <= last + 1, (pid, last, counts)
        if counts:
            last = counts[-1]

    figures["crash/restart kill points survived"] = (
        f"{len(killed)} ({', '.join(f'{n} {p}' for p, n in sorted(phases.items()))})"
    )
    figures["crash/restart jobs checked"] = (
        f"{len(acked)} acknowledged, all ran; {reruns_mid_run} re-ran after being killed "
        f"mid-run, {reruns_after_done} after finishing before their row was deleted; "
        f"cron ran to run {last}"
    )
