"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``msgpack``."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import entry_points

import pluggy
import pytest

import jobify.hookspecs
from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify_serializer_msgpack import MsgpackSerializer

GROUP = "jobify"
NAME = "serializer-msgpack"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_entry_point_is_declared_by_this_distribution():
    ep = _entry_point()
    assert ep.value == "jobify_serializer_msgpack._hooks"
    assert ep.dist is not None
    assert ep.dist.name == "jobify-serializer-msgpack"
    assert ep.dist.version == "0.1.0"


def test_hook_registers_msgpack_not_as_default():
    hooks = _entry_point().load()
    calls = []

    def register(name, factory, /, *, default=False):
        calls.append((name, factory, default))

    hooks.jobify_register_serializers(register)
    assert calls == [("msgpack", "jobify_serializer_msgpack.serializer:MsgpackSerializer", False)]
    module, _, attr = calls[0][1].partition(":")
    assert getattr(importlib.import_module(module), attr) is MsgpackSerializer


def test_hooks_match_the_kernel_specs():
    pm = pluggy.PluginManager(jobify.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(jobify.hookspecs)
    pm.register(_entry_point().load())
    pm.check_pending()
    names = []
    pm.hook.jobify_register_serializers(
        register=lambda name, factory, /, *, default=False: names.append(name)
    )
    assert names == ["msgpack"]


def test_hooks_module_does_not_import_msgpack():
    code = (
        "import sys, jobify_serializer_msgpack._hooks\n"
        "assert 'msgpack' not in sys.modules, 'msgpack imported by discovery'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_seed_import_path_resolves_to_this_plugin():
    from jobify.serializers import MsgpackSerializer as seeded

    assert seeded is MsgpackSerializer


def test_chosen_by_name_in_jobify_toml_with_options(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        "[jobify.storage]\nuse = false\n"
        '[jobify.serializer]\nuse = "msgpack"\ndatetime = true\ntimestamp = 3\n'
    )
    app = Jobify.from_config(
        cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
    )
    serializer = app.configs.serializer
    assert isinstance(serializer, MsgpackSerializer)
    assert serializer.datetime is True
    assert serializer.timestamp == 3


def test_bad_option_in_jobify_toml_fails_at_assembly_naming_the_table(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "msgpack"\ntimestamp = 9\n'
    )
    with pytest.raises(ConfigError, match=r"\[jobify.serializer\].*timestamp=9.*expected one of"):
        Jobify.from_config(
            cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
        )


def test_unknown_option_in_jobify_toml_lists_the_valid_ones(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "msgpack"\nuse_lists = false\n'
    )
    with pytest.raises(ConfigError, match=r"unknown option 'use_lists'.*Did you mean 'use_list'"):
        Jobify.from_config(
            cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
        )
