"""jobify.toml: lookup, schema checks and error messages that say where and how to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobify import Jobify
from jobify._assembly.config import Settings, find_config, load_settings
from jobify.exceptions import ConfigError


@pytest.fixture(autouse=True)
def _kernel_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("JOBIFY_CONFIG", raising=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_full_file_parses(tmp_path: Path):
    cfg = write(
        tmp_path / "jobify.toml",
        """
[jobify]
app = "pkg.mod:app"
tz = "Europe/Berlin"
[jobify.storage]
use = "sqlite"
database = "x.db"
[jobify.serializer]
use = "json"
[jobify.executors.process]
max_workers = 2
[[jobify.middleware]]
use = "queue"
workers = 10
[jobify.plugins]
disable = ["some-plugin"]
""",
    )
    s = Settings.from_toml(cfg)
    assert s.app == "pkg.mod:app"
    assert s.tz == "Europe/Berlin"
    assert s.storage is not None and s.storage.use == "sqlite"
    assert dict(s.storage.options) == {"database": "x.db"}
    assert dict(s.executors["process"]) == {"max_workers": 2}
    assert [c.use for c in s.middleware] == ["queue"]
    assert s.disable == ("some-plugin",)


def test_missing_file_says_what_to_do(tmp_path: Path):
    with pytest.raises(ConfigError) as info:
        Settings.from_toml(tmp_path / "nope.toml")
    assert "nope.toml: configuration file not found" in str(info.value)
    assert "--config" in str(info.value)


def test_from_config_with_missing_file_fails(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        Jobify.from_config(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[jobify]\nstorgae = 1\n", "unknown key 'storgae'. Valid keys: app, tz, storage"),
        ("[jobify]\nstorgae = 1\n", "Did you mean 'storage'?"),
        ("[[jobify.middleware]]\nworkers = 1\n", 'missing key "use"'),
        ("[jobify.serializer]\nuse = false\n", "use = false is only valid for [jobify.storage]"),
        ("[jobify.storage]\nuse = 3\n", "use = 3: expected a registered name"),
        ("[jobify]\ntz = 'Mars/Olympus'\n", "unknown time zone 'Mars/Olympus'"),
        ("[jobify.executors.fiber]\nmax_workers = 1\n", "unknown executor 'fiber'"),
        ("[jobify.plugins]\nenable = []\n", "unknown key 'enable'"),
        ("[jobify.plugins]\ndisable = 'x'\n", "expected a list of plugin names"),
        ("[other]\n", "unknown top-level key(s) 'other'"),
        ("[jobify\n", "not valid TOML"),
        ("# empty\n", "no [jobify] table"),
    ],
)
def test_bad_files_name_file_key_and_fix(tmp_path: Path, text: str, expected: str):
    cfg = write(tmp_path / "jobify.toml", text)
    with pytest.raises(ConfigError) as info:
        Settings.from_toml(cfg)
    assert expected in str(info.value)
    assert str(cfg) in str(info.value)


def test_a_capability_table_without_use_configures_the_default(tmp_path: Path):
    cfg = write(tmp_path / "jobify.toml", "[jobify.storage]\ndatabase = 'x.db'\n")
    s = Settings.from_toml(cfg)
    assert s.storage is not None
    assert s.storage.use is None
    assert dict(s.storage.options) == {"database": "x.db"}


def test_pyproject_tool_jobify_works_the_same(tmp_path: Path):
    cfg = write(
        tmp_path / "pyproject.toml",
        '[tool.jobify]\ntz = "UTC"\n[tool.jobify.storage]\nuse = false\n',
    )
    s = Settings.from_toml(cfg)
    assert s.tz == "UTC"
    assert s.storage is not None and s.storage.use is False
    bad = write(tmp_path / "pyproject.toml", "[tool.jobify]\nnope = 1\n")
    with pytest.raises(ConfigError, match=r"\[tool.jobify\]: unknown key 'nope'"):
        Settings.from_toml(bad)


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert find_config(tmp_path) is None
    write(tmp_path / "pyproject.toml", "[tool.other]\n")
    assert find_config(tmp_path) is None
    write(tmp_path / "pyproject.toml", "[tool.jobify]\n")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path / "jobify.toml", "[jobify]\n")
    assert find_config(tmp_path) == tmp_path / "jobify.toml"
    other = write(tmp_path / "other.toml", "[jobify]\n")
    monkeypatch.setenv("JOBIFY_CONFIG", str(other))
    assert find_config(tmp_path) == other
    monkeypatch.setenv("JOBIFY_CONFIG", "")
    assert find_config(tmp_path) is None


def test_bare_jobify_reads_the_config_of_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    write(tmp_path / "jobify.toml", '[jobify]\ntz = "Asia/Tokyo"\n')
    monkeypatch.chdir(tmp_path)
    app = Jobify(storage=False)
    assert str(app.configs.tz) == "Asia/Tokyo"
    assert load_settings().source == tmp_path / "jobify.toml"


def test_argument_wins_over_file_tz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from zoneinfo import ZoneInfo

    write(tmp_path / "jobify.toml", '[jobify]\ntz = "Asia/Tokyo"\n')
    monkeypatch.chdir(tmp_path)
    app = Jobify(storage=False, tz=ZoneInfo("Europe/Paris"))
    assert str(app.configs.tz) == "Europe/Paris"


def test_unknown_disabled_plugin_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD")
    cfg = write(tmp_path / "jobify.toml", '[jobify.plugins]\ndisable = ["no-such-plugin"]\n')
    with pytest.raises(ConfigError, match="no plugin named 'no-such-plugin'"):
        Jobify.from_config(cfg, storage=False)


def test_settings_are_frozen():
    import attrs

    s = Settings()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        s.app = "x"  # type: ignore[misc]
