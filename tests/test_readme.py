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


def test_quick_start_runs(tmp_path: Path) -> None:
    quick_start = next(b for b in python_blocks() if "asyncio.run(main())" in b)
    (tmp_path / "quick.py").write_text(quick_start)
    env = {"PATH": "/usr/bin:/bin", "JOBIFY_CONFIG": ""}
    result = subprocess.run(
        [sys.executable, "quick.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "success sent to ada@example.com" in result.stdout
    assert (tmp_path / "jobify.db").exists()


def test_the_two_commands_are_the_makefile_targets() -> None:
    first = README.split("\n## ", 2)[1]
    assert "make demo" in first
    assert "make test" in first
    makefile = (ROOT / "Makefile").read_text()
    assert "\ndemo: setup\n" in makefile
    assert "\ntest: setup" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
