"""The deliberate differences from jobify 0.14.0, listed in ``differences.toml``.

Each ``[[difference]]`` names a scenario (``area/name`` under ``scenarios/``),
the report ``keys`` that differ there, what 0.14 does (``reference``), what
this project does (``ours``), ``why`` a user is better off, and ``readme``: the
one-line bullet of README.md's list "Deliberate differences from jobify 0.14".
Several entries may share one ``readme`` bullet; the list has each bullet once,
in the file's order.

Usage (from the repository root)::

    .venv/bin/python tests/conformance/differences.py --readme   # print the README list
    .venv/bin/python tests/conformance/differences.py --write    # rewrite README.md's list
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TOML = HERE / "differences.toml"
README = ROOT / "README.md"
HEADING = "Deliberate differences from jobify 0.14:"
FIELDS = ("scenario", "keys", "reference", "ours", "why", "readme")


@dataclass(frozen=True)
class Difference:
    """One deliberate difference, as observed by one scenario."""

    scenario: str
    keys: tuple[str, ...]
    reference: str
    ours: str
    why: str
    readme: str


def load(path: Path = TOML) -> list[Difference]:
    """The entries of ``differences.toml``; ``ValueError`` for a malformed one."""
    data = tomllib.loads(path.read_text())
    out = []
    for i, entry in enumerate(data.get("difference", [])):
        missing = [f for f in FIELDS if not entry.get(f)]
        extra = sorted(set(entry) - set(FIELDS))
        if missing or extra:
            msg = f"{path.name} entry {i + 1}: missing {missing}, unknown {extra}"
            raise ValueError(msg)
        keys = entry["keys"]
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            msg = f"{path.name} entry {i + 1} ({entry['scenario']}): keys must be a list of str"
            raise ValueError(msg)
        out.append(Difference(**{**entry, "keys": tuple(keys)}))
    return out


def listed_keys(differences: list[Difference]) -> dict[str, set[str]]:
    """``{scenario: keys allowed to differ}``."""
    out: dict[str, set[str]] = {}
    for d in differences:
        out.setdefault(d.scenario, set()).update(d.keys)
    return out


def bullets(differences: list[Difference]) -> list[str]:
    """The README bullets: each ``readme`` text once, in the file's order."""
    return list(dict.fromkeys(" ".join(d.readme.split()) for d in differences))


def markdown(differences: list[Difference]) -> str:
    """The README list as markdown, wrapped at 80 columns."""
    return "".join(
        textwrap.fill(
            b,
            width=80,
            initial_indent="- ",
            subsequent_indent="  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        + "\n"
        for b in bullets(differences)
    )


def _section(text: str) -> tuple[int, int]:
    """Line span ``[start, end)`` of the README list that follows :data:`HEADING`."""
    lines = text.splitlines()
    try:
        at = lines.index(HEADING)
    except ValueError:
        msg = f"README.md has no line {HEADING!r}"
        raise ValueError(msg) from None
    start = at + 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = start
    while end < len(lines) and (lines[end].startswith(("- ", "  ")) and lines[end].strip()):
        end += 1
    return start, end


def readme_bullets(text: str) -> list[str]:
    """The bullets of README.md's list, each joined into one line."""
    start, end = _section(text)
    items: list[str] = []
    for line in text.splitlines()[start:end]:
        if line.startswith("- "):
            items.append(line[2:].strip())
        else:
            items[-1] += " " + line.strip()
    return [re.sub(r"\s+", " ", i) for i in items]


def rewrite_readme(text: str, differences: list[Difference]) -> str:
    """``text`` with the list replaced by :func:`markdown`."""
    start, end = _section(text)
    lines = text.splitlines(keepends=True)
    return "".join(lines[:start]) + markdown(differences) + "".join(lines[end:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--readme", action="store_true", help="print the README's list")
    group.add_argument("--write", action="store_true", help="rewrite the list in README.md")
    args = parser.parse_args()
    differences = load()
    if args.readme:
        sys.stdout.write(markdown(differences))
    else:
        README.write_text(rewrite_readme(README.read_text(), differences))
    return 0


if __name__ == "__main__":
    sys.exit(main())
