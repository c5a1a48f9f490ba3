"""Tables of jobify.toml the kernel hands, unchecked, to the plugin distribution that reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobify._assembly.config import PLUGIN_TABLES, PluginTable, Settings
from jobify.exceptions import ConfigError


def test_the_web_table_is_passed_through_with_where_it_came_from(tmp_path: Path):
    path = tmp_path / "jobify.toml"
    path.write_text('[jobify]\n[jobify.web]\nlisten = "127.0.0.1:8765"\nread_only = true\n')
    settings = Settings.from_toml(path)
    assert "web" in PLUGIN_TABLES
    assert settings.plugin_tables == {
        "web": PluginTable(
            options={"listen": "127.0.0.1:8765", "read_only": True},
            where=f"{path} [jobify.web]",
        )
    }


def test_pyproject_tables_say_tool_jobify(tmp_path: Path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.jobify.web]\nlisten = ":8765"\n')
    table = Settings.from_toml(path).plugin_tables["web"]
    assert table.where == f"{path} [tool.jobify.web]"


def test_no_table_no_entry(tmp_path: Path):
    path = tmp_path / "jobify.toml"
    path.write_text("[jobify]\n")
    assert Settings.from_toml(path).plugin_tables == {}
    assert Settings().plugin_tables == {}


def test_a_plugin_table_must_be_a_table(tmp_path: Path):
    path = tmp_path / "jobify.toml"
    path.write_text("[jobify]\nweb = 3\n")
    with pytest.raises(ConfigError, match=r"\[jobify.web\]: expected a table, got 3"):
        Settings.from_toml(path)


def test_other_unknown_tables_are_still_refused_with_a_suggestion(tmp_path: Path):
    path = tmp_path / "jobify.toml"
    path.write_text("[jobify]\n[jobify.wbe]\nlisten = 1\n")
    with pytest.raises(ConfigError, match="unknown key 'wbe'.*Did you mean 'web'"):
        Settings.from_toml(path)
