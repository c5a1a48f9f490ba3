"""Plugins claim jobify.toml tables the kernel does not know (``jobify_register_config_tables``).

A claimed table is checked at assembly with the plugin's attrs options class
(house messages: file, table, key, fix) and handed to the plugin through
``app.assembly.tables``; any other unknown key or table is refused, with a
"did you mean".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from jobify import Jobify, options
from jobify.exceptions import ConfigError, PluginConflictError
from jobify.hookspecs import hookimpl


@attrs.frozen(kw_only=True)
class MetricsOptions:
    listen: str | None = attrs.field(
        default=None, validator=options.optional(options.text(min_length=1))
    )
    interval: float = attrs.field(default=15.0, validator=options.seconds(example=15.0))


class MetricsPlugin:
    __name__ = "metrics-plugin"

    @hookimpl
    def jobify_register_config_tables(self, register: Any) -> None:
        register("metrics", MetricsOptions)


class LazyPlugin:
    __name__ = "lazy-plugin"

    @hookimpl
    def jobify_register_config_tables(self, register: Any) -> None:
        register("lazy", f"{__name__}:MetricsOptions")


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def build(cfg: Path, *plugins: object) -> Jobify:
    return Jobify.from_config(cfg, hook_plugins=list(plugins), storage=False)


def test_a_claimed_table_is_checked_and_handed_to_the_plugin(tmp_path: Path):
    cfg = write(tmp_path / "jobify.toml", '[jobify.metrics]\nlisten = "127.0.0.1:9464"\n')
    app = build(cfg, MetricsPlugin())
    table = app.assembly.tables["metrics"]
    assert table == MetricsOptions(listen="127.0.0.1:9464")
    assert app.assembly.table_offers["metrics"].plugin == "metrics-plugin"


def test_a_claimed_table_absent_from_the_file_is_not_built(tmp_path: Path):
    cfg = write(tmp_path / "jobify.toml", "[jobify]\n")
    app = build(cfg, MetricsPlugin())
    assert "metrics" not in app.assembly.tables
    assert "metrics" in app.assembly.table_offers


def test_an_unclaimed_table_is_refused_as_an_unknown_key(tmp_path: Path):
    cfg = write(tmp_path / "jobify.toml", '[jobify.metrics]\nlisten = "x"\n')
    with pytest.raises(ConfigError) as info:
        build(cfg)
    text = str(info.value)
    assert text.startswith(f"{cfg} [jobify]: unknown key 'metrics'. Valid keys: app, tz")


def test_a_misspelt_table_suggests_the_claimed_name(tmp_path: Path):
    cfg = write(tmp_path / "jobify.toml", '[jobify.metrcs]\nlisten = "x"\n')
    with pytest.raises(ConfigError) as info:
        build(cfg, MetricsPlugin())
    assert "unknown key 'metrcs'" in str(info.value)
    assert "metrics." in str(info.value)  # listed among the valid keys
    assert "Did you mean 'metrics'?" in str(info.value)


def test_a_misspelt_kernel_table_is_still_refused_with_did_you_mean(tmp_path: Path):
    cfg = write(tmp_path / "jobify.toml", "[jobify.alrets]\nstart_grace = 1\n")
    with pytest.raises(ConfigError, match=r"unknown key 'alrets'.*Did you mean 'alerts'\?"):
        build(cfg, MetricsPlugin())


def test_a_non_table_unknown_key_is_refused_when_the_file_is_read(tmp_path: Path):
    from jobify._assembly.config import Settings

    cfg = write(tmp_path / "jobify.toml", "[jobify]\nmetrics = 1\n")
    with pytest.raises(ConfigError, match="unknown key 'metrics'"):
        Settings.from_toml(cfg)


def test_an_unknown_key_in_a_claimed_table_names_the_valid_ones(tmp_path: Path):
    cfg = write(tmp_path / "jobify.toml", '[jobify.metrics]\nlisen = "x"\n')
    with pytest.raises(ConfigError) as info:
        build(cfg, MetricsPlugin())
    assert str(info.value) == (
        f"{cfg} [jobify.metrics]: unknown key 'lisen'. Valid keys: listen, interval. "
        "Did you mean 'listen'?"
    )


def test_a_bad_value_in_a_claimed_table_says_where_what_and_the_fix(tmp_path: Path):
    cfg = write(tmp_path / "jobify.toml", "[jobify.metrics]\ninterval = -1\n")
    with pytest.raises(ConfigError) as info:
        build(cfg, MetricsPlugin())
    assert str(info.value).startswith(f"{cfg} [jobify.metrics] interval = -1: expected")
    assert "e.g. interval=15.0" in str(info.value)


def test_a_table_in_pyproject_is_named_there(tmp_path: Path):
    cfg = write(tmp_path / "pyproject.toml", "[tool.jobify.metrics]\ninterval = 0\n")
    with pytest.raises(ConfigError, match=r"\[tool\.jobify\.metrics\] interval = 0"):
        build(cfg, MetricsPlugin())
    write(cfg, "[tool.jobify.metrics]\ninterval = 2\n")
    assert build(cfg, MetricsPlugin()).assembly.tables["metrics"].interval == 2


def test_a_module_attr_options_class_is_imported_when_the_table_is_there(tmp_path: Path):
    cfg = write(tmp_path / "jobify.toml", '[jobify.lazy]\nlisten = "a"\n')
    app = build(cfg, LazyPlugin())
    assert app.assembly.tables["lazy"].listen == "a"


def test_two_plugins_claiming_one_table_are_both_named(tmp_path: Path):
    class Other:
        __name__ = "other-plugin"

        @hookimpl
        def jobify_register_config_tables(self, register: Any) -> None:
            register("metrics", MetricsOptions)

    cfg = write(tmp_path / "jobify.toml", "[jobify]\n")
    with pytest.raises(PluginConflictError) as info:
        build(cfg, MetricsPlugin(), Other())
    assert "metrics-plugin" in str(info.value)
    assert "other-plugin" in str(info.value)
    assert '[jobify.plugins] disable = ["other-plugin"]' in str(info.value)


@pytest.mark.parametrize(
    ("name", "options_cls", "message"),
    [
        ("alerts", MetricsOptions, "a table of the kernel"),
        ("Metrics", MetricsOptions, "names must match"),
        ("metrics", 42, "expected an attrs class"),
    ],
)
def test_a_bad_claim_fails_assembly_naming_the_plugin(
    tmp_path: Path, name: str, options_cls: Any, message: str
):
    class Bad:
        __name__ = "bad-plugin"

        @hookimpl
        def jobify_register_config_tables(self, register: Any) -> None:
            register(name, options_cls)

    cfg = write(tmp_path / "jobify.toml", "[jobify]\n")
    with pytest.raises((ValueError, TypeError)) as info:
        build(cfg, Bad())
    assert "bad-plugin" in str(info.value)
    assert message in str(info.value)


def test_a_claim_that_is_not_an_attrs_class_fails_when_its_table_is_used(tmp_path: Path):
    class Plain:
        __name__ = "plain-plugin"

        @hookimpl
        def jobify_register_config_tables(self, register: Any) -> None:
            register("plain", dict)

    cfg = write(tmp_path / "jobify.toml", "[jobify.plain]\na = 1\n")
    with pytest.raises(ConfigError, match=r"\[jobify\.plain\]: the plugin .* not an attrs class"):
        build(cfg, Plain())
