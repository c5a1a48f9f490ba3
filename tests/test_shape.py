"""scripts/shape.py counts private accesses, long functions and big modules, and exits 1 over a limit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "shape.py"

ACCESSES = '''\
    """Three private accesses on other objects, and what is not one."""

    from typing import NamedTuple


    class Point(NamedTuple):
        x: int


    class Box:
        def __init__(self, other: "Box") -> None:
            self._mine = 1                 # own: not counted
            self.__dict__                  # dunder: not counted
            other._theirs                  # 1
            other.__mangled                # 2

        @classmethod
        def make(cls) -> None:
            cls._registry                  # own: not counted

        def parent(self) -> None:
            super()._hook()                # own: not counted


    def outside(box: Box, p: Point) -> None:
        box.inner._deep                    # 3 (box.inner is public)
        p._replace(x=2)                    # namedtuple API
        Point._fields                      # namedtuple API
        p._asdict()                        # namedtuple API
        Point._make([1])                   # namedtuple API
'''


def _long_function(name: str, body_lines: int) -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(body_lines))
    return f"def {name}() -> None:\n{body}"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "access.py").write_text(textwrap.dedent(ACCESSES))
    kernel = tmp_path / "_kernel"
    kernel.mkdir()
    # 1 + 80 lines: 81, over the default 80; the other one is exactly 80
    (kernel / "long.py").write_text(_long_function("too_long", 80) + _long_function("fits", 79))
    (tmp_path / "big_outside.py").write_text("x = 1\n" * 600)  # not under _kernel
    return tmp_path


def test_counts_private_accesses_per_file_with_their_lines(tree: Path) -> None:
    done = _run(tree / "access.py")
    assert done.returncode == 0, done.stdout + done.stderr  # 3 <= 15
    out = done.stdout
    assert "private accesses: 3 (limit 15) ok" in out
    assert "access.py:14: other._theirs" in out
    assert "access.py:15: other.__mangled" in out
    assert "access.py:26: box.inner._deep" in out
    assert "_mine" not in out
    assert "_registry" not in out
    assert "_hook" not in out
    assert "namedtuple API (not counted): 4" in out
    assert "p._replace" in out


def test_exits_1_over_the_private_limit(tree: Path) -> None:
    assert _run(tree / "access.py", "--max-private", "3").returncode == 0
    done = _run(tree / "access.py", "--max-private", "2")
    assert done.returncode == 1
    assert "private accesses: 3 (limit 2) OVER" in done.stdout


def test_reports_functions_over_the_limit(tree: Path) -> None:
    done = _run(tree / "_kernel")
    assert done.returncode == 1
    assert "functions over 80 lines: 1 OVER" in done.stdout
    assert "81  too_long" in done.stdout
    assert "fits" not in done.stdout
    assert _run(tree / "_kernel", "--max-function", "81").returncode == 0


def test_checks_module_sizes_under_the_module_dir_only(tree: Path) -> None:
    done = _run(tree, "--max-function", "100")
    assert done.returncode == 0, done.stdout  # big_outside.py is not under _kernel
    assert "modules over 450 lines: 0 of 1 ok" in done.stdout
    done = _run(tree, "--max-function", "100", "--max-module", "100")
    assert done.returncode == 1
    assert "modules over 100 lines: 1 of 1 OVER" in done.stdout
    done = _run(tree, "--max-function", "100", "--module-dir", "")
    assert done.returncode == 1
    assert "big_outside.py" in done.stdout


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    done = _run(tmp_path / "nope")
    assert done.returncode == 2
    assert "no such path" in done.stderr


def test_the_core_keeps_the_shape_the_kernel_issue_set() -> None:
    """core/src/jobify: under 15 private accesses, no function over 80 lines, no kernel module over 450."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(SCRIPT.parents[1] / "core" / "src" / "jobify")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
