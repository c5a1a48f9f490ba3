"""Smoke-run ``benchmarks/cluster.py`` with a tiny size on the PostgreSQL server of ``make test``.

One round of every configuration and workload, 90 jobs: the point is that the
script keeps running on the current API and that its checks (each job ran once
across the nodes, the jobs table is empty afterwards) hold, so the cluster
figures in RESULTS.md cannot rot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.external_service

CLUSTER_PY = Path(__file__).resolve().with_name("cluster.py")
JOBS = 90


@pytest.fixture
def postgres_dsn() -> str:
    """The DSN of the test server; a missing one fails the test instead of skipping it."""
    dsn = os.environ.get("JOBIFY_TEST_POSTGRES_DSN")
    if not dsn:
        pytest.fail(
            "JOBIFY_TEST_POSTGRES_DSN is not set: run the suite with `make test` (it starts a "
            "throwaway PostgreSQL server), or set it to a server's URL, or deselect with "
            "-m 'not external_service'"
        )
    return dsn


def test_cluster_script_reports_every_configuration(postgres_dsn: str, tmp_path: Path) -> None:
    rows_path = tmp_path / "rows.json"
    args = ["--jobs", str(JOBS), "--rounds", "1", "--dsn", postgres_dsn, "--timeout", "120"]
    proc = subprocess.run(
        [sys.executable, str(CLUSTER_PY), *args, "--json", str(rows_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]

    rows = json.loads(rows_path.read_text())
    measures = ("push -> all done", "schedule (.at)", "run (due -> all done)")
    configs = ("sqlite-1", "postgres-1", "postgres-3")
    assert sorted((r["config"], r["measure"]) for r in rows) == sorted(
        (c, m) for c in configs for m in measures
    )
    for row in rows:
        assert row["jobs"] == JOBS
        assert len(row["samples"]) == 1
        assert row["median"] > 0
        assert row["min"] <= row["median"] <= row["max"]
    for row in rows:
        if row["config"] == "sqlite-1":
            assert row["ratio"] == pytest.approx(1.0)

    # every job ran exactly once (the script checked each id), on the configured nodes
    for row in rows:
        (nodes,) = row["per_node"]
        assert sum(nodes) == JOBS, row
        assert len(nodes) == row["nodes"] == (3 if row["config"] == "postgres-3" else 1), row
        assert max(nodes) - min(nodes) <= 1, row  # a durable job runs on the node that made it

    # the printed table names every configuration and measure
    table = proc.stdout
    for config in configs:
        for measure in measures:
            assert f"| {config} | {measure} |" in table, table
