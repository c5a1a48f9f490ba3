"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``orjson``."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import entry_points

import orjson
import pluggy
import pytest

import jobify.hookspecs
from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify_serializer_orjson import OrjsonSerializer

GROUP = "jobify"
NAME = "serializer-orjson"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_entry_point_is_declared_by_this_distribution():
    ep = _entry_point()
    assert ep.value == "jobify_serializer_orjson._hooks"
    assert ep.dist is not None
    assert ep.dist.name == "jobify-serializer-orjson"
    assert ep.dist.version == "0.1.0"


def test_hook_registers_orjson_not_as_default():
    hooks = _entry_point().load()
    calls = []

    def register(name, factory, /, *, default=False):
        calls.append((name, factory, default))

    hooks.jobify_register_serializers(register)
    assert calls == [("orjson", "jobify_serializer_orjson.serializer:OrjsonSerializer", False)]
    module, _, attr = calls[0][1].partition(":")
    assert getattr(importlib.import_module(module), attr) is OrjsonSerializer


def test_hooks_match_the_kernel_specs():
    pm = pluggy.PluginManager(jobify.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(jobify.hookspecs)
    pm.register(_entry_point().load())
    pm.check_pending()
    names = []
    pm.hook.jobify_register_serializers(
        register=lambda name, factory, /, *, default=False: names.append(name)
    )
    assert names == ["orjson"]


def test_hooks_module_does_not_import_orjson():
    code = (
        "import sys, jobify_serializer_orjson._hooks\n"
        "assert 'orjson' not in sys.modules, 'orjson imported by discovery'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_seed_import_path_resolves_to_this_plugin():
    from jobify.serializers import OrjsonSerializer as seeded

    assert seeded is OrjsonSerializer


def test_chosen_by_name_in_jobify_toml_with_options(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        "[jobify.storage]\nuse = false\n"
        '[jobify.serializer]\nuse = "orjson"\noption = ["SORT_KEYS", "NAIVE_UTC"]\n'
    )
    app = Jobify.from_config(
        cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
    )
    serializer = app.configs.serializer
    assert isinstance(serializer, OrjsonSerializer)
    assert serializer.option == orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC
    assert serializer.dumpb({"b": 1, "a": 2}) == b'{"a":2,"b":1}'


def test_bad_option_in_jobify_toml_fails_at_assembly_naming_the_table(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "orjson"\noption = ["SORT_KYES"]\n'
    )
    with pytest.raises(
        ConfigError, match=r"\[jobify.serializer\].*'SORT_KYES'.*Did you mean 'SORT_KEYS'"
    ):
        Jobify.from_config(
            cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
        )
