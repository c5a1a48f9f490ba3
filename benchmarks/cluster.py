"""Throughput of a three-node PostgreSQL cluster against the single-node SQLite default.

Usage::

    python benchmarks/cluster.py                         # 9,000 jobs, 3 rounds
    python benchmarks/cluster.py --jobs 900 --rounds 1   # a smoke run, seconds
    python benchmarks/cluster.py --dsn postgresql://postgres@127.0.0.1:5432/jobify_test

The DSN defaults to ``$JOBIFY_TEST_POSTGRES_DSN`` (``make test`` sets it). The
same total work, N durable jobs of a trivial async task, runs in three
configurations:

* ``sqlite-1``: one node, the default storage (``use = "sqlite"``, a file in a
  temporary directory), N jobs;
* ``postgres-1``: one node, ``use = "postgres"``, N jobs;
* ``postgres-3``: three nodes on one schema (one cluster), N/3 jobs each.

Each node is a fresh process of this file (``cluster.py node ...``). It starts
its app (startup is not measured), prints ``ready`` and waits for a start time
on stdin; every node starts at that shared instant. Two workloads:

* ``push``: ``await asyncio.gather(*(tick.push(i) ...))`` then
  ``app.wait_all()``; measured from the start to the last node's last job done;
* ``at``: the same jobs scheduled with ``.at(when)`` at one shared instant a
  little ahead (1.5x the ``push`` time of the same configuration in the same
  round, plus 0.5 s), so that scheduling (start -> last node scheduled) and
  running (``when`` -> last job done) are measured apart.

After each PostgreSQL run the jobs table of the schema must be empty (every job
ended and was deleted), and after every run each job id must have run exactly
once across the nodes; anything else stops the script with an error. Every
PostgreSQL run uses a fresh schema (random name, dropped afterwards).
Configurations alternate round by round; the table shows medians, min-max and
the ratio to ``sqlite-1``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DSN_ENV = "JOBIFY_TEST_POSTGRES_DSN"
JOBS_TABLE = "jobs"  # the table of contrib/jobify-storage-postgres holding the durable jobs
LEASE_SECONDS = 15
WORKLOADS = ("push", "at")


@dataclass(frozen=True)
class Config:
    """One configuration: a storage and a number of nodes sharing the work."""

    id: str
    storage: str  # "sqlite" or "postgres"
    nodes: int


CONFIGS: tuple[Config, ...] = (
    Config("sqlite-1", "sqlite", 1),
    Config("postgres-1", "postgres", 1),
    Config("postgres-3", "postgres", 3),
)
BASELINE = "sqlite-1"
MEASURES = {
    "push": ("push -> all done",),
    "at": ("schedule (.at)", "run (due -> all done)"),
}


# --- one node (a subprocess) -------------------------------------------------


async def node_main(config: Path, first: int, count: int, workload: str, margin: float) -> None:
    """Start the app, wait for the start time on stdin, schedule, run, report as JSON."""
    from jobify import Jobify

    app = Jobify.from_config(config)
    ran: list[int] = []

    @app.task(name="bench:tick")
    async def tick(i: int) -> None:
        ran.append(i)

    loop = asyncio.get_running_loop()
    async with app:
        print("ready", flush=True)
        line = await loop.run_in_executor(None, sys.stdin.readline)
        start = float(line)
        await asyncio.sleep(max(0.0, start - time.time()))
        cpu = time.process_time()
        ids = range(first, first + count)
        if workload == "push":
            await asyncio.gather(*(tick.push(i) for i in ids))
        else:
            when = datetime.fromtimestamp(start + margin, UTC)
            await asyncio.gather(*(tick.schedule(i).at(when) for i in ids))
        scheduled = time.time()
        await app.wait_all()
        finished = time.time()
        cpu = time.process_time() - cpu
    closed = time.time()  # shutdown flushed the last deletes (not in the measured time)
    report = {
        "scheduled": scheduled,
        "finished": finished,
        "closed": closed,
        "cpu": cpu,
        "ran": ran,
    }
    print(json.dumps(report), flush=True)


# --- the driver ----------------------------------------------------------------


def _config_text(config: Config, work: Path, dsn: str, schema: str) -> str:
    if config.storage == "sqlite":
        storage = f'use = "sqlite"\ndatabase = "{work / "bench.db"}"\n'
    else:
        storage = (
            f'use = "postgres"\ndsn = "{dsn}"\nschema = "{schema}"\n'
            f"lease_seconds = {LEASE_SECONDS}\n"
        )
    return f'[jobify]\ntz = "UTC"\n\n[jobify.storage]\n{storage}'


def _split(jobs: int, nodes: int) -> list[tuple[int, int]]:
    """(first id, count) per node; the counts differ by at most one."""
    out, first = [], 0
    for k in range(nodes):
        count = jobs // nodes + (1 if k < jobs % nodes else 0)
        out.append((first, count))
        first += count
    return out


def _fail(what: str, procs: list[subprocess.Popen[str]], logs: list[Path]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    tails = "\n".join(
        f"--- node{k} stderr:\n{log.read_text()[-3000:]}" for k, log in enumerate(logs)
    )
    raise RuntimeError(f"{what}\n{tails}")


def _await_ready(
    proc: subprocess.Popen[str], procs: list[Any], logs: list[Path], timeout: float
) -> None:
    assert proc.stdout is not None
    if not select.select([proc.stdout], [], [], timeout)[0]:
        _fail(f"a node did not start within {timeout:g} s", procs, logs)
    line = proc.stdout.readline()
    if line.strip() != "ready":
        _fail(f"a node did not start (exit {proc.poll()}, said {line!r})", procs, logs)


def run_once(
    config: Config,
    jobs: int,
    workload: str,
    margin: float,
    dsn: str,
    timeout: float,
) -> dict[str, Any]:
    """One measured run of ``config``; returns seconds and checks, or raises."""
    schema = f"jobify_bench_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory(prefix="jobify-cluster-") as tmp:
        work = Path(tmp)
        path = work / "jobify.toml"
        path.write_text(_config_text(config, work, dsn, schema))
        env = {**os.environ, "JOBIFY_CONFIG": "", "PYTHONHASHSEED": "0"}
        node_argv = [sys.executable, str(Path(__file__).resolve()), "node", str(path)]
        procs: list[subprocess.Popen[str]] = []
        logs: list[Path] = []
        try:
            for k, (first, count) in enumerate(_split(jobs, config.nodes)):
                logs.append(work / f"node{k}.log")
                with logs[-1].open("w") as err:
                    procs.append(
                        subprocess.Popen(
                            [*node_argv, str(first), str(count), workload, str(margin)],
                            cwd=tmp,
                            env=env,
                            stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE,
                            stderr=err,
                            text=True,
                        )
                    )
                if k == 0:  # the first node creates the schema; the others join it
                    _await_ready(procs[0], procs, logs, timeout)
            for proc in procs[1:]:
                _await_ready(proc, procs, logs, timeout)
            start = time.time() + 0.3  # the shared start instant
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(f"{start!r}\n")
                proc.stdin.flush()  # communicate() closes it
            reports = []
            for k, proc in enumerate(procs):
                try:
                    out, _ = proc.communicate(timeout=timeout)
                except subprocess.TimeoutExpired:
                    _fail(f"node{k} did not finish within {timeout:g} s", procs, logs)
                if proc.returncode != 0:
                    _fail(f"node{k} failed (exit {proc.returncode})", procs, logs)
                reports.append(json.loads(out.strip().splitlines()[-1]))
            left = asyncio.run(_jobs_left(dsn, schema)) if config.storage == "postgres" else 0
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            if config.storage == "postgres":
                asyncio.run(_drop(dsn, schema))
    ran = [i for r in reports for i in r["ran"]]
    if len(ran) != jobs or set(ran) != set(range(jobs)):
        dup = len(ran) - len(set(ran))
        msg = (
            f"{config.id} {workload}: {len(ran)} runs of {len(set(ran))} distinct jobs "
            f"({dup} repeated), expected each of {jobs} exactly once; per node: "
            f"{[len(r['ran']) for r in reports]}"
        )
        raise RuntimeError(msg)
    if left:
        msg = f"{config.id} {workload}: {left} rows left in {JOBS_TABLE!r} after the run"
        raise RuntimeError(msg)
    result = {
        "elapsed": max(r["finished"] for r in reports) - start,
        "schedule": max(r["scheduled"] for r in reports) - start,
        "ran": float(len(ran)),
        "per_node": [len(r["ran"]) for r in reports],
        "cpu": [r["cpu"] for r in reports],
        "shutdown": max(r["closed"] for r in reports) - max(r["finished"] for r in reports),
    }
    if workload == "at":
        due = start + margin
        if result["schedule"] >= margin:
            msg = (
                f"{config.id} at: scheduling took {result['schedule']:.2f} s, past the shared "
                f"due instant ({margin:.2f} s after the start); pass a larger --at-margin"
            )
            raise RuntimeError(msg)
        result["run"] = max(r["finished"] for r in reports) - due
    return result


async def _jobs_left(dsn: str, schema: str) -> int:
    """Rows left in the schema's jobs table."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        tables = [
            r["table_name"]
            for r in await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema
            )
        ]
        if JOBS_TABLE not in tables:
            msg = f"schema {schema!r} has no table {JOBS_TABLE!r} (it has {sorted(tables)})"
            raise RuntimeError(msg)
        left: int = await conn.fetchval(f'SELECT count(*) FROM "{schema}"."{JOBS_TABLE}"')
        return left
    finally:
        await conn.close()


async def _drop(dsn: str, schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def _rates(jobs: int, workload: str, result: dict[str, Any]) -> dict[str, float]:
    if workload == "push":
        return {"push -> all done": jobs / result["elapsed"]}
    return {
        "schedule (.at)": jobs / result["schedule"],
        "run (due -> all done)": jobs / result["run"],
    }


def bench(
    jobs: int,
    rounds: int,
    dsn: str,
    workloads: list[str],
    at_margin: float | None,
    timeout: float,
    log: Any = sys.stderr,
) -> list[dict[str, Any]]:
    """Run every configuration and workload ``rounds`` times, alternating; return rows."""
    samples: dict[tuple[str, str], list[float]] = {}
    per_node: dict[tuple[str, str], list[list[int]]] = {}  # runs per node, per round
    for r in range(rounds):
        order = CONFIGS[r % len(CONFIGS) :] + CONFIGS[: r % len(CONFIGS)]
        for config in order:
            push_elapsed = None
            for workload in workloads:
                margin = 0.0
                if workload == "at":
                    if at_margin is not None:
                        margin = at_margin
                    elif push_elapsed is not None:
                        margin = 1.5 * push_elapsed + 0.5
                    else:
                        margin = 2.0 + jobs / 1500
                t = time.perf_counter()
                result = run_once(config, jobs, workload, margin, dsn, timeout)
                if workload == "push":
                    push_elapsed = result["elapsed"]
                rates = _rates(jobs, workload, result)
                for measure, rate in rates.items():
                    samples.setdefault((config.id, measure), []).append(rate)
                    per_node.setdefault((config.id, measure), []).append(result["per_node"])
                shown = ", ".join(f"{m} {v:,.0f}/s" for m, v in rates.items())
                print(
                    f"  round {r + 1} {config.id} {workload}: {shown}; runs per node "
                    f"{result['per_node']}, wall {result['elapsed']:.2f}s, node CPU "
                    f"{'+'.join(f'{c:.2f}' for c in result['cpu'])}s; "
                    f"shutdown {result['shutdown']:.2f}s "
                    f"({time.perf_counter() - t:.1f}s)",
                    file=log,
                    flush=True,
                )
    rows: list[dict[str, Any]] = []
    for workload in workloads:
        for measure in MEASURES[workload]:
            base = samples.get((BASELINE, measure))
            for config in CONFIGS:
                values = samples[(config.id, measure)]
                median = statistics.median(values)
                rows.append(
                    {
                        "config": config.id,
                        "nodes": config.nodes,
                        "measure": measure,
                        "jobs": jobs,
                        "median": median,
                        "min": min(values),
                        "max": max(values),
                        "samples": values,
                        "per_node": per_node[(config.id, measure)],
                        "ratio": median / statistics.median(base) if base else float("nan"),
                    }
                )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown table: jobs/s median, min-max and the ratio to one SQLite node."""
    out = [
        f"| configuration | measure | jobs/s (median) | min-max | vs {BASELINE} |",
        "|---|---|---:|---:|---:|",
    ]
    for row in rows:
        out.append(
            f"| {row['config']} | {row['measure']} | {row['median']:,.0f} | "
            f"{row['min']:,.0f}-{row['max']:,.0f} | {row['ratio']:.2f}x |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["node"]:  # one node, started by run_once
        config, first, count, workload, margin = argv[1:]
        asyncio.run(node_main(Path(config), int(first), int(count), workload, float(margin)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=9_000, help="total jobs per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dsn", default=os.environ.get(DSN_ENV, ""), help=f"default ${DSN_ENV}")
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="push,at")
    parser.add_argument(
        "--at-margin", type=float, default=None, help="seconds from the start to the due instant"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="per run, seconds")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error(f"no PostgreSQL server: pass --dsn or set ${DSN_ENV} (`make test` does)")
    workloads = [w for w in args.workloads.split(",") if w]
    unknown = set(workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {', '.join(WORKLOADS)}")
    started = time.perf_counter()
    load = os.getloadavg()[0]
    rows = bench(args.jobs, args.rounds, args.dsn, workloads, args.at_margin, args.timeout)
    print(table(rows))
    print(
        f"\n{args.jobs:,} jobs per run, {args.rounds} round(s), "
        f"{time.perf_counter() - started:.0f}s; {os.cpu_count()} CPUs shared by the nodes and "
        f"the server; load average {load:.2f} before, {os.getloadavg()[0]:.2f} after."
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
