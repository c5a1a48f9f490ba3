"""The README's examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_quick_start_runs_and_runs_again(tmp_path: Path) -> None:
    """A second run restores what the first stored; it must not fail (DuplicateJobError)."""
    quick_start = next(b for b in python_blocks() if "asyncio.run(main())" in b)
    (tmp_path / "quick.py").write_text(quick_start)
    env = {"PATH": "/usr/bin:/bin", "JOBIFY_CONFIG": ""}
    for run in (1, 2):
        result = subprocess.run(
            [sys.executable, "quick.py"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"run {run}: {result.stderr}"
        assert "Traceback" not in result.stderr, f"run {run}: {result.stderr}"
        assert "success sent to ada@example.com" in result.stdout
        assert (tmp_path / "jobify.db").exists()


def test_quick_start_guards_its_entry_point() -> None:
    """RunMode.PROCESS workers import the script: the README shows the __main__ guard."""
    quick_start = next(b for b in python_blocks() if "asyncio.run(main())" in b)
    assert 'if __name__ == "__main__":' in quick_start
    process_note = README.split("RunMode.PROCESS", 1)[1][:1200]
    assert 'if __name__ == "__main__":' in process_note


def test_the_api_reference_it_points_to_is_in_the_repository() -> None:
    for link in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / link).is_file(), link
    assert "docs/reference.md" in README


def test_the_two_commands_are_the_makefile_targets() -> None:
    first = README.split("\n## ", 2)[1]
    assert "make demo" in first
    assert "make test" in first
    makefile = (ROOT / "Makefile").read_text()
    assert "\ndemo: setup\n" in makefile
    assert "\ntest: setup" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
