"""Cross-distribution tests: figures gathered by the tests are printed at the end of the run."""

from __future__ import annotations

from typing import Any

import pytest

FIGURES = pytest.StashKey[dict[str, str]]()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> dict[str, str]:
    """A dict a test fills with `name -> value` lines for the terminal summary."""
    return request.config.stash.setdefault(FIGURES, {})


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    found = config.stash.get(FIGURES, {})
    if not found:
        return
    terminalreporter.section("jobify figures")
    for name, value in found.items():
        terminalreporter.write_line(f"{name}: {value}")
