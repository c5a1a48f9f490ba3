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
from datetime import datetime, timedelta
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


def _start(
    config: Path, index: int, first: int, count: int, env: dict[str, str]
) -> subprocess.Popen[str]:
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


class Cluster:
    """Node processes on one schema, and the results table their executions fill."""

    def __init__(self, dsn: str, tmp_path: Path, sizes: list[int]) -> None:
        self.dsn = dsn
        self.results = f"public.results_{uuid.uuid4().hex[:8]}"
        self.sizes = sizes
        self.jobs = sum(sizes)
        asyncio.run(
            _fetch(
                dsn,
                f"CREATE TABLE {self.results} "
                "(key text, node text, due timestamptz, ran_at timestamptz)",
            )
        )
        self.config = tmp_path / "jobify.toml"
        self.config.write_text(
            f'[jobify]\ntz = "UTC"\n\n[jobify.storage]\nuse = "postgres"\ndsn = "{dsn}"\n'
            f'schema = "cluster_{uuid.uuid4().hex[:8]}"\nlease_seconds = {LEASE}\n'
            'node_name = "node"\n'
        )
        self.env = {**os.environ, "JOBIFY_RESULTS": self.results, "JOBIFY_CONFIG": ""}
        self.nodes: list[subprocess.Popen[str]] = []

    def start(self) -> None:
        first = 0
        for index, size in enumerate(self.sizes):
            self.nodes.append(_start(self.config, index, first, size, self.env))
            first += size
        for proc in self.nodes:
            _wait_line(proc, "scheduled", timeout=60)

    def now(self) -> datetime:
        (row,) = asyncio.run(_fetch(self.dsn, "SELECT clock_timestamp() AS t"))
        return row["t"]  # type: ignore[no-any-return]

    def wait_for_jobs(self, timeout: float = 60) -> None:
        query = f"SELECT count(DISTINCT key) AS n FROM {self.results} WHERE key LIKE 'job%'"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (row,) = asyncio.run(_fetch(self.dsn, query))
            if row["n"] >= self.jobs:
                return
            time.sleep(0.5)

    def stop(self, *alive: int) -> None:
        """SIGTERM the nodes ``alive``; each must exit 0 after a clean shutdown."""
        for index in alive:
            self.nodes[index].send_signal(signal.SIGTERM)
        for index in alive:
            _, err = self.nodes[index].communicate(timeout=30)
            assert self.nodes[index].returncode == 0, err[-4000:]

    def close(self) -> None:
        for proc in self.nodes:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)

    def runs(self) -> dict[str, list[asyncpg.Record]]:
        """Every execution by key (``job<n>`` or ``cron<i>@HH:MM:SS``)."""
        rows = asyncio.run(_fetch(self.dsn, f"SELECT key, node, due, ran_at FROM {self.results}"))
        found: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            found[row["key"]].append(row)
        return found


def _check_once(runs: dict[str, list[asyncpg.Record]], jobs: int, killed: str | None) -> int:
    """Each delayed job and each cron second between the first and the last ran once.

    A second run is allowed only when one of the two was on the ``killed``
    node (it was mid-run at the kill). Returns the number of keys run twice.
    """
    job_keys = {key for key in runs if key.startswith("job")}
    assert job_keys == {f"job{n}" for n in range(jobs)}
    per_cron: dict[str, Counter[str]] = defaultdict(Counter)
    for key, found in runs.items():
        if key.startswith("cron"):
            name, second = key.split("@")
            per_cron[name][second] = len(found)
    assert sorted(per_cron) == [f"cron{i}" for i in range(5)]
    for name, counts in per_cron.items():
        dues = [r["due"] for key in counts for r in runs[f"{name}@{key}"]]
        expected = int((max(dues) - min(dues)).total_seconds()) + 1
        assert len(counts) == expected, (name, sorted(counts))
    twice = {key: [r["node"] for r in found] for key, found in runs.items() if len(found) > 1}
    for key, ran_on in twice.items():
        assert killed is not None and len(ran_on) == 2 and killed in ran_on, (key, ran_on)
    return len(twice)


def test_three_nodes_run_each_job_and_each_cron_second_once(
    postgres_dsn: str, tmp_path: Path, figures: dict[str, str]
) -> None:
    cluster = Cluster(postgres_dsn, tmp_path, [334, 333, 333])
    try:
        cluster.start()
        time.sleep(3.0)  # node0 runs part of its jobs and some cron seconds
        kill_time = cluster.now()
        cluster.nodes[0].send_signal(signal.SIGKILL)
        cluster.nodes[0].communicate(timeout=10)
        dead_at = cluster.now()  # node0 wrote nothing after this
        cluster.wait_for_jobs()
        time.sleep(3.0)  # a few more cron seconds on the two survivors
        cluster.stop(1, 2)
    finally:
        cluster.close()

    runs = cluster.runs()
    twice = _check_once(runs, JOBS, killed="node0")
    for found in runs.values():
        if len(found) == 2:  # begun on node0 before the kill, run again after it elsewhere
            first, second = sorted(found, key=lambda r: r["ran_at"])
            assert first["node"] == "node0" and first["ran_at"] < dead_at, found
            assert second["node"] != "node0" and second["ran_at"] > kill_time, found
    assert twice <= 40

    # node0's jobs due after the kill ran on the survivors within the lease time
    adopted = [runs[f"job{n}"][-1] for n in range(334) if runs[f"job{n}"][-1]["due"] > kill_time]
    assert adopted, "the kill came after all of node0's jobs were due; nothing was adopted"
    assert {r["node"] for r in adopted} <= {"node1", "node2"}
    late = max(r["ran_at"] - max(r["due"], kill_time) for r in adopted)
    assert late <= timedelta(seconds=LEASE * 4 / 3 + 2.0), late
    executions = sum(len(found) for found in runs.values())
    cron_seconds = sum(1 for key in runs if key.startswith("cron"))
    figures["three-node cluster"] = (
        f"{JOBS} delayed jobs, {executions} executions ({twice} run twice: mid-run at the "
        f"kill), {cron_seconds} cron seconds; node0 SIGKILLed, its {len(adopted)} pending "
        f"jobs ran on the survivors at most {late.total_seconds():.2f} s late "
        f"(lease {LEASE:g} s)"
    )


def test_connections_killed_under_the_nodes_lose_and_repeat_nothing(
    postgres_dsn: str, tmp_path: Path, figures: dict[str, str]
) -> None:
    """Every database connection of the nodes is terminated, four times, while they run."""
    cluster = Cluster(postgres_dsn, tmp_path, [200, 200])
    terminate = (
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name LIKE 'node:%'"
    )
    killed = 0
    try:
        cluster.start()
        for _ in range(4):
            time.sleep(0.8)
            (row,) = asyncio.run(_fetch(postgres_dsn, terminate))
            killed += row["n"]
        cluster.wait_for_jobs()
        time.sleep(1.5)
        cluster.stop(0, 1)
    finally:
        cluster.close()
    assert killed >= 8  # both nodes' pools and listeners, at least once each
    runs = cluster.runs()
    _check_once(runs, 400, killed=None)
    figures["connections killed under two nodes"] = (
        f"{killed} connections terminated in 4 rounds; 400 delayed jobs and "
        f"{sum(1 for key in runs if key.startswith('cron'))} cron seconds, each run once"
    )
