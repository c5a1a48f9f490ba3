"""docs/reference.md is what scripts/gen_reference.py writes from the docstrings: it cannot drift."""

from __future__ import annotations

import difflib
import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_reference", ROOT / "scripts/gen_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_page_is_the_scripts_output() -> None:
    expected = _generator().render()
    committed = (ROOT / "docs/reference.md").read_text()
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True), expected.splitlines(keepends=True),
            "docs/reference.md (committed)", "scripts/gen_reference.py (now)", n=1,
        )
    )  # fmt: skip
    assert not diff, f"run `python scripts/gen_reference.py` and commit the page:\n{diff[:4000]}"


def test_every_public_name_has_an_entry() -> None:
    """A name added to a public module's __all__ must be added to the page's sections too."""
    from jobify._assembly.seed import seed_names

    documented = {name for section in _generator().SECTIONS for name in section.names}
    missing = []
    for module_name in ("jobify", "jobify.exceptions", "jobify.storage", "jobify.middleware"):
        module = importlib.import_module(module_name)
        plugin_names = set(seed_names(module_name))  # documented by their plugin's README
        missing += [
            f"{module_name}.{name}"
            for name in module.__all__
            if name not in plugin_names and f"{module_name}:{name}" not in documented
        ]
    assert not missing, f"add to SECTIONS in scripts/gen_reference.py: {missing}"
