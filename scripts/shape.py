"""Measure the shape of the kernel's code: private accesses, long functions, big modules.

    python scripts/shape.py                       # core/src/jobify, the default limits
    python scripts/shape.py PATH... --max-private 0 --max-function 60 --max-module 400

Three figures, from an ``ast`` walk of every ``*.py`` file under the paths:

* accesses to another object's private attributes: an attribute whose name
  starts with an underscore and is not a dunder (``obj._rows``, ``obj.__x``),
  on anything but ``self``, ``cls`` or ``super()``. The namedtuple methods and
  attributes (``_replace``, ``_fields``, ``_asdict``, ``_make``,
  ``_field_defaults``) are a namedtuple's public API: they are listed apart
  and not counted;
* functions (and methods) longer than ``--max-function`` lines, from the
  ``def`` line to the last line of the body;
* modules longer than ``--max-module`` lines, for the files under a folder
  named ``--module-dir`` (``_kernel``; an empty value checks every file).

It prints a short report and exits with 1 when a limit is exceeded (more
than ``--max-private`` accesses, one function or module too long), 0
otherwise. The standard library only.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = ROOT / "core" / "src" / "jobify"
NAMEDTUPLE_API = frozenset({"_replace", "_fields", "_asdict", "_make", "_field_defaults"})
OWN = frozenset({"self", "cls"})


@dataclass(frozen=True)
class Access:
    """One ``obj._name`` on another object."""

    path: str
    line: int
    text: str


@dataclass(frozen=True)
class Function:
    """One function and its length in lines."""

    path: str
    line: int
    name: str
    length: int


@dataclass
class Shape:
    """What the walk found."""

    private: list[Access] = field(default_factory=list)
    namedtuple: list[Access] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    modules: dict[str, int] = field(default_factory=dict)  # path -> lines, checked files only


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_own(value: ast.expr) -> bool:
    """``self``, ``cls`` or ``super()``: the object's own attributes."""
    if isinstance(value, ast.Name):
        return value.id in OWN
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "super"
    )


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    """Every function of ``tree`` with its qualified name (``Class.method``, ``f.inner``)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{prefix}{node.name}", node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def _files(paths: Sequence[Path]) -> list[Path]:
    found: set[Path] = set()
    for path in paths:
        found.update(path.rglob("*.py") if path.is_dir() else [path])
    return sorted(found)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def measure(paths: Sequence[Path], module_dir: str) -> Shape:
    """Walk the ``*.py`` files under ``paths``."""
    shape = Shape()
    for path in _files(paths):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
        shown = _shown(path)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _is_private(node.attr)
                and not _is_own(node.value)
            ):
                access = Access(shown, node.lineno, ast.unparse(node))
                found = shape.namedtuple if node.attr in NAMEDTUPLE_API else shape.private
                found.append(access)
        for name, function in _functions(tree):
            assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)  # noqa: S101
            length = (function.end_lineno or function.lineno) - function.lineno + 1
            shape.functions.append(Function(shown, function.lineno, name, length))
        if not module_dir or module_dir in path.parts[:-1]:
            shape.modules[shown] = len(text.splitlines())
    shape.private.sort(key=lambda a: (a.path, a.line))
    shape.namedtuple.sort(key=lambda a: (a.path, a.line))
    return shape


def report(shape: Shape, max_private: int, max_function: int, max_module: int) -> list[str]:
    """The report's lines; the first of each section says whether its limit holds."""
    lines: list[str] = []
    over = len(shape.private) > max_private
    mark = "OVER" if over else "ok"
    lines.append(f"private accesses: {len(shape.private)} (limit {max_private}) {mark}")
    per_file: dict[str, int] = {}
    for access in shape.private:
        per_file[access.path] = per_file.get(access.path, 0) + 1
    for path, count in sorted(per_file.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {count:4d}  {path}")
    lines.extend(f"    {a.path}:{a.line}: {a.text}" for a in shape.private)
    if shape.namedtuple:
        lines.append(f"namedtuple API (not counted): {len(shape.namedtuple)}")
        lines.extend(f"    {a.path}:{a.line}: {a.text}" for a in shape.namedtuple)
    long = sorted((f for f in shape.functions if f.length > max_function), key=lambda f: -f.length)
    mark = "OVER" if long else "ok"
    lines.append(f"functions over {max_function} lines: {len(long)} {mark}")
    lines.extend(f"  {f.length:4d}  {f.name}  {f.path}:{f.line}" for f in long)
    big = sorted(((n, p) for p, n in shape.modules.items() if n > max_module), key=lambda x: -x[0])
    mark = "OVER" if big else "ok"
    lines.append(f"modules over {max_module} lines: {len(big)} of {len(shape.modules)} {mark}")
    lines.extend(f"  {n:4d}  {p}" for n, p in big)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report; 1 when a limit is exceeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths", nargs="*", type=Path, default=[DEFAULT_PATH], help="files or folders"
    )
    parser.add_argument("--max-private", type=int, default=15, metavar="N")
    parser.add_argument("--max-function", type=int, default=80, metavar="LINES")
    parser.add_argument("--max-module", type=int, default=450, metavar="LINES")
    parser.add_argument(
        "--module-dir",
        default="_kernel",
        metavar="NAME",
        help="check module sizes under folders of this name only ('' for every file)",
    )
    args = parser.parse_args(argv)
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        parser.error(f"no such path: {', '.join(map(str, missing))}")
    shape = measure(args.paths, args.module_dir)
    print("\n".join(report(shape, args.max_private, args.max_function, args.max_module)))
    exceeded = (
        len(shape.private) > args.max_private
        or any(f.length > args.max_function for f in shape.functions)
        or any(n > args.max_module for n in shape.modules.values())
    )
    return 1 if exceeded else 0


if __name__ == "__main__":
    sys.exit(main())
