"""Run conformance scenarios on this project and on jobify 0.14.0, and compare.

Usage (from the repository root)::

    .venv/bin/python tests/conformance/runner.py                 # every scenario
    .venv/bin/python tests/conformance/runner.py cron/ routers/x  # some (path prefixes)
    .venv/bin/python tests/conformance/runner.py --show cron/max_runs   # both outputs

Each scenario runs in a fresh empty directory with ``JOBIFY_CONFIG=""`` (no
config file) under each implementation's python; the reference's python is
``benchmarks/.venvs/reference/bin/python`` (``make reference-venv`` makes it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIOS = HERE / "scenarios"
REFERENCE_PYTHON = ROOT / "benchmarks" / ".venvs" / "reference" / "bin" / "python"
MARK = "@@conformance@@ "
TIMEOUT = 120.0


def scenario_ids(prefixes: list[str] | None = None) -> list[str]:
    """Every scenario id (``area/name``), sorted; only those under ``prefixes`` if given."""
    ids = sorted(
        str(p.relative_to(SCENARIOS).with_suffix(""))
        for p in SCENARIOS.rglob("*.py")
        if not p.name.startswith("_")
    )
    if prefixes:
        ids = [i for i in ids if any(i.startswith(pre.removesuffix(".py")) for pre in prefixes)]
    return ids


def run_scenario(scenario: str, python: str | os.PathLike[str]) -> dict[str, Any]:
    """Run one scenario under ``python``; its report, or ``{"__error__": ...}``."""
    path = SCENARIOS / f"{scenario}.py"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JOBIFY_", "CONFORMANCE_", "PYTEST_"))
    }
    env.update(
        JOBIFY_CONFIG="",
        PYTHONPATH=str(HERE),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        TZ="UTC",
    )
    with tempfile.TemporaryDirectory(prefix="conformance-") as cwd:
        try:
            proc = subprocess.run(
                [str(python), str(path)],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"__error__": f"timed out after {TIMEOUT} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    return {"__error__": f"exit {proc.returncode}, no report; stderr: {proc.stderr[-2000:]}"}


def compare(ours: dict[str, Any], ref: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The top-level keys whose values differ: ``{key: (reference, ours)}``."""
    missing = object()
    out: dict[str, tuple[Any, Any]] = {}
    for key in sorted(set(ours) | set(ref)):
        a, b = ref.get(key, missing), ours.get(key, missing)
        if a != b:
            out[key] = (
                "<missing>" if a is missing else a,
                "<missing>" if b is missing else b,
            )
    return out


def run_both(scenario: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(ours, reference)`` reports of one scenario."""
    return run_scenario(scenario, sys.executable), run_scenario(scenario, REFERENCE_PYTHON)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help="ids or id prefixes (default: all)")
    parser.add_argument("--show", action="store_true", help="print both reports in full")
    parser.add_argument("-j", "--jobs", type=int, default=4, help="scenarios run at once")
    args = parser.parse_args()
    if not REFERENCE_PYTHON.exists():
        print(f"no reference python at {REFERENCE_PYTHON}: run `make reference-venv`")
        return 2
    ids = scenario_ids(args.scenarios)
    differing = 0
    with ThreadPoolExecutor(args.jobs) as pool:
        for scenario, (ours, ref) in zip(ids, pool.map(run_both, ids), strict=True):
            diff = compare(ours, ref)
            if args.show:
                print(f"== {scenario}\n  reference: {json.dumps(ref, sort_keys=True)}")
                print(f"  ours:      {json.dumps(ours, sort_keys=True)}")
            if diff:
                differing += 1
                print(f"DIFF {scenario}")
                for key, (a, b) in diff.items():
                    print(
                        f"  {key}:\n    reference: {json.dumps(a)}\n    ours:      {json.dumps(b)}"
                    )
            elif not args.show:
                print(f"same {scenario}")
    print(f"{len(ids)} scenario(s), {differing} differing")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
