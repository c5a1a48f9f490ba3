"""Smoke-run every compare.py scenario with tiny sizes against THIS project only.

No virtualenv is created and nothing is downloaded; the point is that the race
scenarios keep running on the current API, so ``compare.py`` cannot rot.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("jobify_bench_compare", HERE / "compare.py")
assert _spec is not None
assert _spec.loader is not None
compare = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = compare
_spec.loader.exec_module(compare)

QUICK = [s for s in compare.SCENARIOS if s.quick]


@pytest.mark.parametrize("scenario", QUICK, ids=[s.id for s in QUICK])
def test_scenario_runs_on_this_project(scenario, tmp_path: Path) -> None:
    params = dict(scenario.quick)
    if scenario.scenario == "restore":
        params["db"] = str(tmp_path / "restore.db")
    result = compare.run_scenario(sys.executable, "this", scenario.scenario, params, 120)
    for metric in scenario.metrics:
        assert metric in result, (metric, result)
        assert result[metric] == result[metric], (metric, result)  # not nan


def test_table_renders() -> None:
    rows = compare.race({"this": sys.executable}, [QUICK[0]], rounds=1, quick=True, log=sys.stderr)
    text = compare.table(rows)
    assert QUICK[0].id in text


def test_this_runs_without_contrib_unless_asked(tmp_path: Path) -> None:
    plain = compare.disabling_config(tmp_path, compare.CONTRIB, "a.toml")
    assert 'disable = ["otel"]' in Path(plain).read_text()
    variant = tmp_path / "history.toml"
    variant.write_text("[jobify.history]\nmax_runs_per_job = 5\n")
    merged = Path(compare.disabling_config(tmp_path, ["otel"], "b.toml", base=str(variant)))
    assert merged.read_text().startswith("[jobify.history]")
    assert 'disable = ["otel"]' in merged.read_text()
    variant.write_text('[jobify.plugins]\ndisable = ["web"]\n')
    with pytest.raises(SystemExit, match="add"):
        compare.disabling_config(tmp_path, ["otel"], "c.toml", base=str(variant))
    rows = compare.race(
        {"this": sys.executable}, [QUICK[0]], rounds=1, quick=True, log=sys.stderr,
        disable=["web"],
    )  # fmt: skip
    assert "this-disabled" in rows[0]


def test_the_asyncio_floor_script_runs() -> None:
    import json
    import subprocess

    out = subprocess.run(
        [sys.executable, str(HERE / "floor.py"), "--n", "200", "--rounds", "1"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    figures = json.loads(out.stdout)
    assert figures["throughput_floor_jobs_per_s"] > 0
    assert figures["latency_floor_us"] > 0
