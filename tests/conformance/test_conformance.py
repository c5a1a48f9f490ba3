"""Every conformance scenario reports the same on this project and on jobify 0.14.0.

Each scenario under ``scenarios/`` runs under this test run's python (ours) and
under ``benchmarks/.venvs/reference/bin/python`` (the reference, made by ``make
reference-venv``); their reports must agree key by key, except the keys listed
for that scenario in ``differences.toml`` (which must still differ). The runs
start in a session fixture, four processes at a time, in the order the selected
tests run; each test waits for its own scenario.

One scenario: ``.venv/bin/pytest tests/conformance -k 'jobs/await_job'`` or
``.venv/bin/python tests/conformance/runner.py --show jobs/await_job``;
``CONFORMANCE_PARALLEL=8`` runs more at once.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import differences  # noqa: E402
import runner  # noqa: E402

# Scenario processes at once: CI machines have 2 cores and the runs mostly sleep.
PARALLEL = int(os.environ.get("CONFORMANCE_PARALLEL", "4"))
FIX = "make reference-venv"
SCENARIOS = runner.scenario_ids()
LISTED = differences.listed_keys(differences.load())

Runs = dict[str, tuple["Future[dict[str, Any]]", "Future[dict[str, Any]]"]]


def _missing_reference() -> str | None:
    if runner.REFERENCE_PYTHON.exists():
        return None
    return f"no reference python at {runner.REFERENCE_PYTHON}: run `{FIX}`"


@pytest.fixture(scope="session")
def conformance_runs(request: pytest.FixtureRequest) -> Iterator[Runs]:
    """``{scenario: (ours, reference)}`` futures for every selected scenario."""
    if _missing_reference():
        yield {}
        return
    selected = [
        item.callspec.params["scenario"]
        for item in request.session.items
        if getattr(item, "obj", None) is test_scenario and hasattr(item, "callspec")
    ]
    pool = ThreadPoolExecutor(PARALLEL, thread_name_prefix="conformance")
    runs: Runs = {}
    for scenario in dict.fromkeys(selected):
        runs[scenario] = (
            pool.submit(runner.run_scenario, scenario, sys.executable),
            pool.submit(runner.run_scenario, scenario, runner.REFERENCE_PYTHON),
        )
    yield runs
    pool.shutdown(wait=True, cancel_futures=True)


def test_reference_python_exists() -> None:
    problem = _missing_reference()
    if problem:
        pytest.fail(problem)


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def explain(
    scenario: str, ours: dict[str, Any], ref: dict[str, Any], listed: set[str]
) -> str | None:
    """Why ``scenario`` fails, or None when it conforms."""
    if "__error__" in ours or "__error__" in ref:
        return (
            f"{scenario} did not report on both implementations\n"
            f"  reference: {ref.get('__error__', 'reported')}\n"
            f"  ours:      {ours.get('__error__', 'reported')}"
        )
    diff = runner.compare(ours, ref)
    unlisted = {k: v for k, v in diff.items() if k not in listed}
    stale = sorted(listed - set(diff))
    if not unlisted and not stale:
        return None
    lines = []
    if unlisted:
        lines.append(f"{scenario}: these keys differ from jobify 0.14.0")
        for key, (a, b) in unlisted.items():
            lines += [f"  {key}:", f"    reference: {_show(a)}", f"    ours:      {_show(b)}"]
        lines.append("  (a deliberate difference goes into tests/conformance/differences.toml)")
    if stale:
        lines.append(
            f"{scenario}: listed in differences.toml but no longer different: {stale}"
            " (remove the entry, and its README bullet: differences.py --write)"
        )
        for key in stale:
            lines.append(f"  {key}: {_show(ours.get(key, '<missing>'))}")
    return "\n".join(lines)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario: str, conformance_runs: Runs) -> None:
    problem = _missing_reference()
    if problem:
        pytest.fail(problem)
    ours_future, ref_future = conformance_runs[scenario]
    failure = explain(
        scenario, ours_future.result(), ref_future.result(), LISTED.get(scenario, set())
    )
    if failure:
        pytest.fail(failure, pytrace=False)
