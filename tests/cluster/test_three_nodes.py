"""Three app processes on one PostgreSQL database act as one scheduler.

The acceptance tests of contrib/jobify-storage-postgres: delayed jobs
scheduled across three nodes and five every-second cron tasks declared on
all of them; every execution is a row in a results table. One node is
disturbed while it runs, and the results must show nothing lost and nothing
run twice except a run the disturbed node had already started:

- SIGKILLed mid-run: its pending jobs run on the survivors within the lease
  time (at-least-once for what it was running);
- SIGSTOPped in the middle of a cron run for three leases, then SIGCONTed
  (a hypervisor pause, a long GC stall), and
- cut off from the database for three leases (its connections reset and
  refused through a proxy), then healed (a partition): its lease expires,
  the others adopt its jobs, and when it comes back its stale writes lose
  (fencing), so it neither rewinds a cron row nor replays its slots.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

pytestmark = [pytest.mark.external_service, pytest.mark.slow]

NODE = Path(__file__).with_name("node.py")
JOBS = 1_000
LEASE = 2.0
SPREAD = 8.0  # the delayed jobs fall due over this many seconds
TICK = 0.5  # seconds a cron run lasts in the pause and partition tests
AWAY = 3 * LEASE  # how long the disturbed node is paused or cut off
LONG_SPREAD = 16.0  # their jobs fall due before, during and after the disturbance


async def _fetch(dsn: str, query: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


def _start(
    config: Path, index: int, first: int, count: int, env: dict[str, str], log: Path, spread: float
) -> subprocess.Popen[str]:
    with log.open("w") as err:  # a file, not a pipe: a chatty node never blocks on it
        return subprocess.Popen(
            [
                sys.executable,
                str(NODE),
                str(config),
                f"node{index}",
                str(first),
                str(count),
                str(spread),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )


def _wait_line(proc: subprocess.Popen[str], expected: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == expected:
            return
        if not line and proc.poll() is not None:
            break
    proc.kill()
    proc.communicate(timeout=10)
    err = log.read_text()
    pytest.fail(f"node did not print {expected!r} (exit {proc.returncode}):\n{err[-4000:]}")


class Cluster:
    """Node processes on one schema, and the results table their executions fill."""

    def __init__(
        self,
        dsn: str,
        tmp_path: Path,
        sizes: list[int],
        *,
        tick: float = 0.0,
        spread: float = SPREAD,
        storage_dsn: dict[int, str] | None = None,
    ) -> None:
        """``storage_dsn``: node index -> the DSN its storage uses (a proxy), if not ``dsn``."""
        self.dsn = dsn
        self.spread = spread
        self.results = f"public.results_{uuid.uuid4().hex[:8]}"
        self.schema = f"cluster_{uuid.uuid4().hex[:8]}"
        self.sizes = sizes
        self.jobs = sum(sizes)
        asyncio.run(
            _fetch(
                dsn,
                f"CREATE TABLE {self.results} "
                "(key text, node text, due timestamptz, begun_at timestamptz, "
                "ran_at timestamptz, ended_at timestamptz)",
            )
        )
        self.tmp_path = tmp_path
        self.configs = [
            self._config(tmp_path / f"node{i}.toml", (storage_dsn or {}).get(i, dsn))
            for i in range(len(sizes))
        ]
        self.logs = [tmp_path / f"node{i}.log" for i in range(len(sizes))]
        self.env = {
            **os.environ,
            "JOBIFY_RESULTS": self.results,
            "JOBIFY_CONFIG": "",
            "JOBIFY_TICK_SECONDS": str(tick),
        }
        self.nodes: list[subprocess.Popen[str]] = []

    def _config(self, path: Path, dsn: str) -> Path:
        path.write_text(
            f'[jobify]\ntz = "UTC"\n\n[jobify.storage]\nuse = "postgres"\ndsn = "{dsn}"\n'
            f'schema = "{self.schema}"\nlease_seconds = {LEASE}\nretry_max_delay = 0.5\n'
            'node_name = "node"\n'
        )
        return path

    def start(self) -> None:
        first = 0
        for index, size in enumerate(self.sizes):
            config, log = self.configs[index], self.logs[index]
            self.nodes.append(_start(config, index, first, size, self.env, log, self.spread))
            first += size
        for proc, log in zip(self.nodes, self.logs, strict=True):
            _wait_line(proc, "scheduled", timeout=60, log=log)

    def log(self, index: int) -> str:
        """What node ``index`` wrote to stderr (its warnings) so far."""
        return self.logs[index].read_text()

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
            self.nodes[index].communicate(timeout=30)
            assert self.nodes[index].returncode == 0, self.log(index)[-4000:]

    def live_nodes(self) -> set[int]:
        """The indexes of the nodes whose lease is live now."""
        pids = {proc.pid: index for index, proc in enumerate(self.nodes)}
        query = f'SELECT node_id FROM "{self.schema}".nodes WHERE lease_until > now()'  # noqa: S608
        rows = asyncio.run(_fetch(self.dsn, query))
        return {pids[p] for r in rows if (p := int(r["node_id"].split(":")[-2])) in pids}

    def mid_run(self, among: set[int], kind: str, timeout: float = 20) -> int:
        """Wait until a node of ``among`` has a run of ``kind`` ("cron" or "") in progress.

        The run began less than 0.25 s ago and has not ended, so it lasts at
        least that long more (a cron run lasts TICK, a job 0.3 s). Returns the
        node's index.
        """
        query = (
            f"SELECT node FROM {self.results} WHERE key LIKE $1 AND ended_at IS NULL "  # noqa: S608
            "AND begun_at > clock_timestamp() - interval '250 milliseconds'"
        )
        names = {f"node{i}": i for i in among}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for row in asyncio.run(_fetch(self.dsn, query, f"{kind}%")):
                if row["node"] in names:
                    return names[row["node"]]
            time.sleep(0.01)
        pytest.fail(f"none of nodes {sorted(among)} began a {kind or 'run'} within {timeout} s")

    def close(self) -> None:
        for proc in self.nodes:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)

    def runs(self) -> dict[str, list[asyncpg.Record]]:
        """Every execution by key (``job<n>`` or ``cron<i>@HH:MM:SS``)."""
        rows = asyncio.run(
            _fetch(
                self.dsn, f"SELECT key, node, due, begun_at, ran_at, ended_at FROM {self.results}"
            )  # noqa: S608
        )
        found: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            found[row["key"]].append(row)
        return found


def _check_all_ran(runs: dict[str, list[asyncpg.Record]], jobs: int) -> None:
    """Nothing is lost: every delayed job ran, and every cron second between the first and last."""
    job_keys = {key for key in runs if key.startswith("job")}
    missing = sorted({f"job{n}" for n in range(jobs)} - job_keys)
    assert not missing, f"{len(missing)} delayed jobs never ran, e.g. {missing[:5]}"
    assert len(job_keys) == jobs, sorted(job_keys)[:5]
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


def _check_once(runs: dict[str, list[asyncpg.Record]], jobs: int, killed: str | None) -> int:
    """Each delayed job and each cron second between the first and the last ran once.

    A second run is allowed only when one of the two was on the ``killed``
    node (it was mid-run at the kill). Returns the number of keys run twice.
    """
    _check_all_ran(runs, jobs)
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

    # node0's jobs due after it died ran on the survivors within the lease time (a job
    # due between kill_time and dead_at may still have run on node0 before the signal landed)
    adopted = [runs[f"job{n}"][-1] for n in range(334) if runs[f"job{n}"][-1]["due"] > dead_at]
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


# --- fencing: a node that comes back after its lease expired ---------------------------


def _check_reruns(
    runs: dict[str, list[asyncpg.Record]], jobs: int, disturbed: str, begun_by: datetime
) -> tuple[int, int]:
    """Nothing lost, and nothing run twice but what the ``disturbed`` node had already begun.

    A key may run twice only when one run is the disturbed node's, begun
    before ``begun_by`` (its pause or partition), and the other began after
    that (on the node that adopted it, or on the disturbed node once it
    joined again). Runs are ordered by ``begun_at``, the moment the task
    began (on the host's clock, before any wait). Returns (delayed jobs, cron
    slots) run twice.
    """
    _check_all_ran(runs, jobs)
    twice = {key: found for key, found in runs.items() if len(found) > 1}
    for key, found in twice.items():
        ran = [(r["node"], r["begun_at"].isoformat()) for r in found]
        assert len(found) == 2, f"{key} ran {len(found)} times: {ran}"
        first, second = sorted(found, key=lambda r: r["begun_at"])
        assert first["node"] == disturbed, f"{key} ran twice, not begun by {disturbed}: {ran}"
        assert first["begun_at"] < begun_by, f"{key} was begun by {disturbed} after: {ran}"
        assert second["begun_at"] > begun_by, f"{key} ran twice before {disturbed} was: {ran}"
    jobs_twice = sum(1 for key in twice if key.startswith("job"))
    return jobs_twice, len(twice) - jobs_twice


def _adopted_jobs(
    cluster: Cluster,
    runs: dict[str, list[asyncpg.Record]],
    index: int,
    since: datetime,
    until: datetime,
) -> tuple[int, timedelta]:
    """How many of node ``index``'s delayed jobs fell due while it was away, and the latest.

    Each job due between ``since`` and ``until`` ran on another node (it was
    adopted); its lateness is measured from its due time or ``since``,
    whichever is later. (A job due after ``until`` may run on the node that
    came back: it claims like any other.)
    """
    first = sum(cluster.sizes[:index])
    adopted = []
    for n in range(first, first + cluster.sizes[index]):
        found = runs[f"job{n}"]
        due = found[0]["due"]
        if since < due < until:
            (run,) = [r for r in found if r["begun_at"] > since]
            assert run["node"] != f"node{index}", f"job{n} due while node{index} was away ran there"
            adopted.append(run["ran_at"] - max(due, since))
    assert adopted, f"no job of node{index} fell due while it was away: nothing was adopted"
    return len(adopted), max(adopted)


def _rejoin_warning(log: str) -> float:
    """The one warning of a node that found its lease expired; returns how long it was away."""
    found = re.findall(r"found its lease expired after ([0-9.]+) s without a renewal", log)
    assert len(found) == 1, f"expected one re-join warning, got {len(found)}:\n{log[-4000:]}"
    return float(found[0])


def test_a_node_paused_mid_cron_run_for_three_leases_reruns_and_rewinds_nothing(
    postgres_dsn: str, tmp_path: Path, figures: dict[str, str]
) -> None:
    """SIGSTOP the node running a cron slot for three leases, then SIGCONT it.

    Before fencing, the resumed node stored the next run it computed from its
    stale state over the row the others had moved on (owner and next_run_at
    back), and ``MisfirePolicy.ALL`` replayed every slot they had run.
    """
    cluster = Cluster(postgres_dsn, tmp_path, [300, 300, 300], tick=TICK, spread=LONG_SPREAD)
    try:
        cluster.start()
        time.sleep(3.0)  # every node runs jobs and cron slots
        victim = cluster.mid_run({0, 1, 2}, "cron")
        cluster.nodes[victim].send_signal(signal.SIGSTOP)
        stopped = cluster.now()  # the paused node began nothing after this
        time.sleep(AWAY)
        continued = cluster.now()
        cluster.nodes[victim].send_signal(signal.SIGCONT)
        cluster.wait_for_jobs()
        time.sleep(4.0)  # the resumed node and the others go on together
        live = cluster.live_nodes()
        cluster.stop(0, 1, 2)
    finally:
        for proc in cluster.nodes:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGCONT)
        cluster.close()

    name = f"node{victim}"
    runs = cluster.runs()
    jobs_twice, slots_twice = _check_reruns(runs, cluster.jobs, name, stopped)
    cron_runs = [r for key, found in runs.items() if key.startswith("cron") for r in found]
    across = [
        r
        for r in cron_runs
        if r["node"] == name and r["begun_at"] < stopped and r["ended_at"] > continued
    ]
    assert across, f"{name} was not in the middle of a cron run during the pause"
    assert live == {0, 1, 2}, f"only {sorted(live)} held a live lease at the end"
    after = sum(1 for r in cron_runs if r["node"] == name and r["begun_at"] > continued)
    adopted, late = _adopted_jobs(cluster, runs, victim, stopped, continued)
    assert late <= timedelta(seconds=LEASE * 4 / 3 + 3.0), late
    away = _rejoin_warning(cluster.log(victim))
    assert away >= AWAY, away
    slots = sum(1 for key in runs if key.startswith("cron"))
    figures["paused node (SIGSTOP)"] = (
        f"{name} stopped mid-cron-run for {AWAY:g} s ({AWAY / LEASE:g} leases of {LEASE:g} s): "
        f"{cluster.jobs} delayed jobs and {slots} cron slots, each run once except "
        f"{jobs_twice + slots_twice} runs {name} had begun ({jobs_twice} jobs, {slots_twice} "
        f"cron slots, run again after adoption); its {adopted} jobs due meanwhile ran "
        f"elsewhere at most {late.total_seconds():.2f} s late; it re-joined after "
        f"{away:.1f} s away (one warning) and ran {after} cron slots after"
    )


def test_a_node_cut_off_from_the_database_for_three_leases_reruns_and_rewinds_nothing(
    postgres_dsn: str, tmp_path: Path, figures: dict[str, str], db_proxy: Any
) -> None:
    """node0 reaches the database through a proxy; it is cut for three leases, then healed.

    Its connections are reset and new ones refused, while its tasks (whose
    results go through a connection of their own) go on. Its lease expires,
    the others adopt its jobs; when the proxy heals, its queued writes lose.
    """
    cluster = Cluster(
        postgres_dsn,
        tmp_path,
        [300, 300, 300],
        tick=TICK,
        spread=LONG_SPREAD,
        storage_dsn={0: db_proxy.dsn},
    )
    try:
        cluster.start()
        time.sleep(3.0)
        cluster.mid_run({0}, "")  # node0 is in the middle of a run
        db_proxy.cut()
        cut = cluster.now()
        time.sleep(AWAY)
        healed = cluster.now()
        db_proxy.heal()
        cluster.wait_for_jobs()
        time.sleep(4.0)
        live = cluster.live_nodes()
        cluster.stop(0, 1, 2)
    finally:
        cluster.close()

    runs = cluster.runs()
    assert live == {0, 1, 2}, f"only {sorted(live)} held a live lease at the end"
    # a run node0 claimed just before the cut begins a moment later
    begun_by = cut + timedelta(seconds=0.5)
    jobs_twice, slots_twice = _check_reruns(runs, cluster.jobs, "node0", begun_by)
    node0 = [r for found in runs.values() for r in found if r["node"] == "node0"]
    assert not [r for r in node0 if begun_by < r["begun_at"] < healed], "node0 ran while cut off"
    after = sum(1 for r in node0 if r["begun_at"] > healed)
    across = [r for r in node0 if r["begun_at"] < cut and r["ended_at"] > cut]
    assert across, "node0 was not in the middle of a run at the cut"
    adopted, late = _adopted_jobs(cluster, runs, 0, cut, healed)
    assert late <= timedelta(seconds=LEASE * 4 / 3 + 3.0), late
    away = _rejoin_warning(cluster.log(0))
    assert away >= AWAY, away
    slots = sum(1 for key in runs if key.startswith("cron"))
    figures["node cut off (partition)"] = (
        f"node0's connections reset and refused for {AWAY:g} s ({AWAY / LEASE:g} leases), "
        f"{len(across)} of its runs in progress: "
        f"{cluster.jobs} delayed jobs and {slots} cron slots, each run once except "
        f"{jobs_twice + slots_twice} runs node0 had begun ({jobs_twice} jobs, {slots_twice} "
        f"cron slots); its {adopted} jobs due meanwhile ran elsewhere at most "
        f"{late.total_seconds():.2f} s late; it re-joined after {away:.1f} s away (one warning) "
        f"and ran {after} runs after"
    )
