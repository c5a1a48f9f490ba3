"""scripts/with-chromium: Debian's Chromium and ChromeDriver around a command (`make test` uses it)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "with-chromium"
VARIABLES = ("JOBIFY_TEST_CHROMIUM", "JOBIFY_TEST_CHROMEDRIVER")


def run(*cmd: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    return subprocess.run(
        [str(SCRIPT), *cmd], env={**base, **env}, capture_output=True, text=True, timeout=600
    )


def test_script_is_executable() -> None:
    assert os.access(SCRIPT, os.X_OK)


def test_needs_a_command() -> None:
    result = run()
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_with_both_variables_set_it_runs_the_command_as_it_is() -> None:
    result = run(
        "sh", "-c", 'echo "$JOBIFY_TEST_CHROMIUM $JOBIFY_TEST_CHROMEDRIVER"; exit 3',
        JOBIFY_TEST_CHROMIUM="/opt/c", JOBIFY_TEST_CHROMEDRIVER="/opt/d",
    )  # fmt: skip
    assert result.returncode == 3
    assert result.stdout == "/opt/c /opt/d\n"


@pytest.mark.skipif(
    not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()),
    reason="Chromium is not installed: make test installs it (scripts/with-chromium)",
)
def test_exports_debians_chromium_and_its_driver() -> None:
    result = run("sh", "-c", 'echo "$JOBIFY_TEST_CHROMIUM $JOBIFY_TEST_CHROMEDRIVER"')
    assert result.returncode == 0, result.stderr
    assert result.stdout == "/usr/bin/chromium /usr/bin/chromedriver\n"
    assert "ChromeDriver" in result.stderr
