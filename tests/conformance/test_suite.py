"""The conformance suite itself: its differences list, the README's copy, its coverage, its size."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import differences  # noqa: E402
import runner  # noqa: E402
import test_conformance  # noqa: E402

MIN_SCENARIOS = 250

# The modules whose public names a scenario must use (what an app imports).
MODULES = (
    "jobify",
    "jobify.exceptions",
    "jobify.router",
    "jobify.middleware",
    "jobify.serializers",
    "jobify.typeadapter",
    "jobify.crontab",
    "jobify.storage",
)

# Run on each python: the public names of each module (``__all__``, else its non-underscore
# globals). Only the running behaviour is asked, never the reference's source.
NAMES_PROGRAM = """
import importlib, json, sys
out = {}
for m in sys.argv[1:]:
    mod = importlib.import_module(m)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n, v in vars(mod).items()
                 if not n.startswith("_") and getattr(v, "__module__", m).startswith("jobify")
                 and type(v).__name__ != "module"]
    out[m] = sorted(names)
print(json.dumps(out))
"""


def public_names(python: str | Path) -> dict[str, list[str]]:
    proc = subprocess.run(
        [str(python), "-c", NAMES_PROGRAM, *MODULES],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"JOBIFY_CONFIG": "", "PATH": "/usr/bin:/bin"},
    )
    result: dict[str, list[str]] = json.loads(proc.stdout)
    return result


def test_differences_file_is_well_formed() -> None:
    entries = differences.load()
    assert entries, "differences.toml lists no difference"
    unknown = sorted({d.scenario for d in entries} - set(runner.scenario_ids()))
    assert not unknown, f"differences.toml names scenarios that do not exist: {unknown}"
    not_in_area = sorted(d.scenario for d in entries if not d.scenario.startswith("differences/"))
    # Each difference is observed by a scenario of its own, so the pinned keys stay few.
    assert not not_in_area, f"differences belong to scenarios under differences/: {not_in_area}"


def test_readme_lists_the_differences() -> None:
    listed = differences.bullets(differences.load())
    in_readme = differences.readme_bullets(differences.README.read_text())
    assert in_readme == listed, (
        "README.md's 'Deliberate differences from jobify 0.14' list differs from the"
        " readme fields of tests/conformance/differences.toml;"
        " run `.venv/bin/python tests/conformance/differences.py --write`"
    )


def test_every_public_name_is_used_by_a_scenario() -> None:
    if not runner.REFERENCE_PYTHON.exists():
        pytest.fail(f"no reference python at {runner.REFERENCE_PYTHON}: run `make reference-venv`")
    ours, ref = public_names(sys.executable), public_names(runner.REFERENCE_PYTHON)
    texts = [p.read_text() for p in runner.SCENARIOS.rglob("*.py")]
    uncovered = []
    for module in MODULES:
        imports = re.compile(
            rf"^\s*(from {re.escape(module)} import|import {re.escape(module)}\b)", re.M
        )
        users = [t for t in texts if imports.search(t)]
        for name in sorted(set(ours[module]) & set(ref[module])):
            word = re.compile(rf"\b{re.escape(name)}\b")
            if not any(word.search(t) for t in users):
                uncovered.append(f"{module}.{name}")
    assert not uncovered, (
        f"{len(uncovered)} public name(s) of jobify 0.14 used by no scenario"
        f" (a scenario importing the module and using the name): {uncovered}"
    )


def test_there_are_enough_scenarios() -> None:
    count = len(runner.scenario_ids())
    assert count >= MIN_SCENARIOS, f"{count} scenarios, expected at least {MIN_SCENARIOS}"


def test_explain_fails_unlisted_stale_and_errors() -> None:
    explain = test_conformance.explain
    assert explain("a/b", {"x": 1}, {"x": 1}, set()) is None
    assert explain("a/b", {"x": 2}, {"x": 1}, {"x"}) is None
    unlisted = explain("a/b", {"x": 2, "y": 1}, {"x": 1, "y": 1}, set())
    assert (
        unlisted and "x:" in unlisted and "reference: 1" in unlisted and "ours:      2" in unlisted
    )
    missing = explain("a/b", {}, {"x": 1}, set())
    assert missing and '"<missing>"' in missing
    stale = explain("a/b", {"x": 1}, {"x": 1}, {"x"})
    assert stale and "no longer different" in stale
    error = explain("a/b", {"__error__": "exit 1"}, {"x": 1}, {"x"})
    assert error and "did not report" in error and "exit 1" in error
