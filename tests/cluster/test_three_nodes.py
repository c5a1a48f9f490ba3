"""Three app processes on one PostgreSQL database act as one scheduler.

The acceptance test of contrib/jobify-storage-postgres: 1,000 delayed jobs
scheduled across three nodes and five every-second cron tasks declared on
all of them; every execution is a row in a results table. One node is
SIGKILLed mid-run: its pending jobs run on the survivors within the lease
time, nothing is lost, and only a job that was mid-run at the kill may run
twice (at-least-once, with one of its runs on the killed node).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

pytestmark = [pytest.mark.external_service, pytest.mark.slow]

NODE = Path(__file__).with_name("node.py")
JOBS = 1_000
LEASE = 2.0
SPREAD = 8.0  # the delayed jobs fall due over this many seconds


async def _fetch(dsn: str, query: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


def _start(config: Path, index: int, first: int, count: int, env: dict[str, str]):
    return subprocess.Popen(
        [
            sys.executable,
            str(NODE),
            str(config),
            f"node{index}",
            str(first),
            str(count),
            str(SPREAD),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_line(proc: subprocess.Popen[str], expected: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == expected:
            return
        if not line and proc.poll() is not None:
            break
    proc.kill()
    _, err = proc.communicate(timeout=10)
    pytest.fail(f"node did not print {expected!r} (exit {proc.returncode}):\n{err[-4000:]}")


def test_three_nodes_run_each_job_and_each_cron_second_once(
    postgres_dsn: str, tmp_path: Path, figures: dict[str, str]
) -> None:
    schema = f"cluster_{uuid.uuid4().hex[:8]}"
    results = f"public.results_{uuid.uuid4().hex[:8]}"
    asyncio.run(
        _fetch(
            postgres_dsn,
            f"CREATE TABLE {results} (key text, node text, due timestamptz, ran_at timestamptz)",
        )
    )
    config = tmp_path / "jobify.toml"
    config.write_text(
        f'[jobify]\ntz = "UTC"\n\n[jobify.storage]\nuse = "postgres"\ndsn = "{postgres_dsn}"\n'
        f'schema = "{schema}"\nlease_seconds = {LEASE}\n'
    )
    env = {**os.environ, "JOBIFY_RESULTS": results, "JOBIFY_CONFIG": ""}
    per_node = [334, 333, 333]
    firsts = [0, 334, 667]
    nodes = [_start(config, i, firsts[i], per_node[i], env) for i in range(3)]
    try:
        for proc in nodes:
            _wait_line(proc, "scheduled", timeout=60)
        time.sleep(3.0)  # node0 runs part of its jobs and some cron seconds
        (killed_at,) = asyncio.run(_fetch(postgres_dsn, "SELECT clock_timestamp() AS t"))
        nodes[0].send_signal(signal.SIGKILL)
        nodes[0].communicate(timeout=10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            (row,) = asyncio.run(
                _fetch(
                    postgres_dsn,
                    f"SELECT count(DISTINCT key) AS n FROM {results} WHERE key LIKE 'job%'",
                )
            )
            if row["n"] >= JOBS:
                break
            time.sleep(0.5)
        time.sleep(3.0)  # a few more cron seconds on the two survivors
        for proc in nodes[1:]:
            proc.send_signal(signal.SIGTERM)
        for proc in nodes[1:]:
            _, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err[-4000:]
    finally:
        for proc in nodes:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)

    rows = asyncio.run(_fetch(postgres_dsn, f"SELECT key, node, due, ran_at FROM {results}"))
    runs: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        runs[row["key"]].append(row)
    kill_time = killed_at["t"]

    # each delayed job ran; twice only if one run was on the killed node
    job_keys = {key for key in runs if key.startswith("job")}
    assert job_keys == {f"job{n}" for n in range(JOBS)}
    twice = {key: [r["node"] for r in runs[key]] for key in job_keys if len(runs[key]) > 1}
    for key, ran_on in twice.items():
        assert len(ran_on) == 2 and "node0" in ran_on, (key, ran_on)
    assert len(twice) <= 10, twice

    # node0's jobs due after the kill ran on the survivors within the lease time
    adopted = [
        runs[f"job{n}"][-1] for n in range(per_node[0]) if runs[f"job{n}"][-1]["due"] > kill_time
    ]
    assert adopted, "the kill came after all of node0's jobs were due; nothing was adopted"
    assert {r["node"] for r in adopted} <= {"node1", "node2"}
    late = max(r["ran_at"] - max(r["due"], kill_time) for r in adopted)
    assert late <= timedelta(seconds=LEASE * 4 / 3 + 2.0), late

    # every cron second between the first and the last one ran, once
    per_cron: dict[str, Counter[str]] = defaultdict(Counter)
    for key, found in runs.items():
        if key.startswith("cron"):
            name, second = key.split("@")
            per_cron[name][second] = len(found)
    assert sorted(per_cron) == [f"cron{i}" for i in range(5)]
    seconds_seen = 0
    for name, counts in per_cron.items():
        times = sorted(counts)
        first = min(r["due"] for key in counts for r in runs[f"{name}@{key}"])
        last = max(r["due"] for key in counts for r in runs[f"{name}@{key}"])
        expected = int((last - first).total_seconds()) + 1
        assert len(times) == expected, (name, times)
        again = {s: n for s, n in counts.items() if n > 1}
        for second in again:
            ran_on = [r["node"] for r in runs[f"{name}@{second}"]]
            assert again[second] == 2 and "node0" in ran_on, (name, second, ran_on)
        seconds_seen += expected

    figures["three-node cluster"] = (
        f"{len(job_keys)} delayed jobs, {len(rows)} executions "
        f"({len(twice)} run twice: mid-run at the kill), {seconds_seen} cron seconds; "
        f"node0 SIGKILLed, its {len(adopted)} pending jobs ran on the survivors at most "
        f"{late.total_seconds():.2f} s late (lease {LEASE:g} s)"
    )
