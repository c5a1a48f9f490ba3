"""Every plugin distribution has the same shape (STYLE.md §4) and is installed by setup."""

from __future__ import annotations

import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DISTS = sorted(p for p in [*ROOT.glob("plugins/*"), *ROOT.glob("contrib/*")] if p.is_dir())
REQUIREMENTS = (ROOT / "requirements-dev.txt").read_text()


def test_there_are_plugin_distributions() -> None:
    assert DISTS


@pytest.mark.parametrize("dist", DISTS, ids=lambda p: p.name)
def test_distribution_shape(dist: Path) -> None:
    data = tomllib.loads((dist / "pyproject.toml").read_text())
    project = data["project"]
    name = project["name"]
    assert name == dist.name
    import_name = name.replace("-", "_")
    assert (dist / "README.md").is_file()
    src = dist / "src" / import_name
    assert (src / "__init__.py").is_file()
    assert (src / "_hooks.py").is_file()
    assert (src / "py.typed").is_file()
    assert any((dist / "tests").glob("test_*.py"))
    assert (dist / "tests" / "test_discovered.py").is_file()
    assert any(dep.startswith("jobify-core") for dep in project["dependencies"])
    eps = project["entry-points"]["jobify"]
    assert eps == {name.removeprefix("jobify-"): f"{import_name}._hooks"}
    assert data["build-system"]["build-backend"] == "hatchling.build"
    assert f"-e ./{dist.relative_to(ROOT)}\n" in REQUIREMENTS


@pytest.mark.parametrize("dist", DISTS, ids=lambda p: p.name)
def test_distribution_is_installed_and_discoverable(dist: Path) -> None:
    names = {ep.name for ep in entry_points(group="jobify")}
    assert dist.name.removeprefix("jobify-") in names


def test_umbrella_pins_core_and_the_defaults_exactly() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = data["project"]["dependencies"]
    for dep in deps:
        assert "==" in dep, dep
        name = dep.split("==")[0]
        folder = ROOT / "core" if name == "jobify-core" else ROOT / "plugins" / name
        version = tomllib.loads((folder / "pyproject.toml").read_text())["project"]["version"]
        assert dep == f"{name}=={version}"
