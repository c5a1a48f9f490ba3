"""The kernel imports no plugin and no plugin's dependency (DESIGN.md, "The kernel")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "core" / "src" / "jobify"
FORBIDDEN = {
    "sqlite3", "json", "pickle", "orjson", "msgpack", "cbor2", "pydantic", "adaptix",
    "croniter", "crontab", "concurrent", "opentelemetry", "prometheus_client",
}  # fmt: skip
SEED = CORE / "_assembly" / "seed.py"


def _modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def _runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Imports executed at runtime (those under ``if TYPE_CHECKING:`` are skipped)."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        if not typing_only:
            if isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((node.lineno, node.module))
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(tree, False)
    return found


def _allowed(path: Path) -> set[str]:
    """Where stdlib ``json`` is no capability: it is an output format, not a serializer.

    The contract suites (test code that ``import jobify`` never loads) round-trip
    JSON, the command line prints ``jobify jobs --json`` for scripts, and
    ``jobify.logs`` writes log lines as JSON (``[jobify.logging] json = true``).
    """
    suites = CORE / "testing" / "contracts"
    as_output = (CORE / "cli.py", CORE / "logs.py")
    return {"json"} if path.parent == suites or path in as_output else set()


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(CORE)))
def test_no_capability_imports(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    bad = [
        f"{path.relative_to(CORE)}:{line}: import {name}"
        for line, name in _runtime_imports(tree)
        if (name.split(".")[0] in FORBIDDEN - _allowed(path)) or name.startswith("jobify_")
    ]
    assert not bad, "the kernel must not import capability code:\n" + "\n".join(bad)


FIRST_PARTY = re.compile(r"\bjobify[-_](storage|serializer|typeadapter|executor|cron|queue)[-_]")


def _code_strings(tree: ast.AST) -> list[str]:
    """String constants that are not docstrings and not under ``if TYPE_CHECKING:``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(CORE)))
def test_first_party_plugins_are_named_only_in_the_seed_table(path: Path) -> None:
    if path == SEED:
        return
    tree = ast.parse(path.read_text(), filename=str(path))
    names = [s for s in _code_strings(tree) if FIRST_PARTY.search(s)]
    assert not names, (
        f"{path.relative_to(CORE)} names first-party plugins {names}; use _assembly/seed.py"
    )


def test_core_declares_only_the_kernel_dependencies() -> None:
    import tomllib

    data = tomllib.loads((CORE.parents[1] / "pyproject.toml").read_text())
    deps = {
        d.split(">")[0].split("=")[0].split(";")[0].strip() for d in data["project"]["dependencies"]
    }
    assert deps == {"pluggy", "attrs", "tomli", "importlib-metadata"}
