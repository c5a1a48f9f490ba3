"""`jobify plugins` shows each first-party plugin with its version, offers and contract suite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jobify.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_every_first_party_plugin_shows_its_contract_suite(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("JOBIFY_CONFIG", "")
    monkeypatch.chdir(tmp_path)
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    blocks = re.split(r"\n(?=\S)", out.strip())
    shown = {b.split()[1]: b for b in blocks}
    for plugin_dir in sorted((ROOT / "plugins").iterdir()):
        block = shown[plugin_dir.name]
        assert re.match(rf"\S+  {plugin_dir.name} \d+\.\d+\.\d+", block)
        assert "contract suite: tests/test_contract.py (present)" in block
        assert (plugin_dir / "tests" / "test_contract.py").is_file()
    assert "storage 'sqlite' (default)" in shown["jobify-storage-sqlite"]
    assert "middleware 'queue'" in shown["jobify-queue"]


def test_a_plugin_without_a_declared_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobify._assembly import discovery
    from jobify.cli import _contract_suite

    info = discovery.PluginInfo(name="x", value="json", dist="not-installed", version="0")
    assert _contract_suite(info) == "none declared (set JOBIFY_CONTRACT_TESTS in json)"
    monkeypatch.setattr("json.JOBIFY_CONTRACT_TESTS", "tests/t.py", raising=False)
    assert _contract_suite(info) == "tests/t.py (not checked: distribution not found)"
    assert discovery.locate_file("jobify-storage-sqlite", "tests/missing.py") == (
        "declared; not in this install"
    )
