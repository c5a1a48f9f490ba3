"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``cbor``."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import entry_points
from zoneinfo import ZoneInfo

import pluggy
import pytest

import jobify.hookspecs
from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify_serializer_cbor import CBORSerializer

GROUP = "jobify"
NAME = "serializer-cbor"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_entry_point_is_declared_by_this_distribution():
    ep = _entry_point()
    assert ep.value == "jobify_serializer_cbor._hooks"
    assert ep.dist is not None
    assert ep.dist.name == "jobify-serializer-cbor"
    assert ep.dist.version == "0.1.0"


def test_hook_registers_cbor_not_as_default():
    hooks = _entry_point().load()
    calls = []

    def register(name, factory, /, *, default=False):
        calls.append((name, factory, default))

    hooks.jobify_register_serializers(register)
    assert calls == [("cbor", "jobify_serializer_cbor.serializer:CBORSerializer", False)]
    module, _, attr = calls[0][1].partition(":")
    assert getattr(importlib.import_module(module), attr) is CBORSerializer


def test_hooks_match_the_kernel_specs():
    pm = pluggy.PluginManager(jobify.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(jobify.hookspecs)
    pm.register(_entry_point().load())
    pm.check_pending()
    names = []
    pm.hook.jobify_register_serializers(
        register=lambda name, factory, /, *, default=False: names.append(name)
    )
    assert names == ["cbor"]


def test_hooks_module_does_not_import_cbor2():
    code = (
        "import sys, jobify_serializer_cbor._hooks\n"
        "assert 'cbor2' not in sys.modules, 'cbor2 imported by discovery'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_seed_import_path_resolves_to_this_plugin():
    from jobify.serializers import CBORSerializer as seeded

    assert seeded is CBORSerializer


def test_chosen_by_name_in_jobify_toml_with_options(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        "[jobify.storage]\nuse = false\n"
        '[jobify.serializer]\nuse = "cbor"\ntimezone = "Europe/Berlin"\ncanonical = true\n'
    )
    app = Jobify.from_config(
        cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
    )
    serializer = app.configs.serializer
    assert isinstance(serializer, CBORSerializer)
    assert serializer.timezone == ZoneInfo("Europe/Berlin")
    assert serializer.canonical is True


def test_bad_option_in_jobify_toml_fails_at_assembly_naming_the_table(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "cbor"\ntimezone = "Mars/Base"\n'
    )
    with pytest.raises(ConfigError, match=r"\[jobify.serializer\].*timezone='Mars/Base'.*IANA"):
        Jobify.from_config(
            cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
        )


def test_unknown_option_in_jobify_toml_lists_the_valid_ones(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "cbor"\nmax_dept = 10\n'
    )
    with pytest.raises(ConfigError, match=r"unknown option 'max_dept'.*Did you mean 'max_depth'"):
        Jobify.from_config(
            cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
        )
