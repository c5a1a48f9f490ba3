"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``adaptix``."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import entry_points

import pluggy
import pytest
from adaptix import DebugTrail

import jobify.hookspecs
from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify_typeadapter_adaptix import AdaptixConverter

GROUP = "jobify"
NAME = "typeadapter-adaptix"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_entry_point_is_declared_by_this_distribution():
    ep = _entry_point()
    assert ep.value == "jobify_typeadapter_adaptix._hooks"
    assert ep.dist is not None
    assert ep.dist.name == "jobify-typeadapter-adaptix"
    assert ep.dist.version == "0.1.0"


def test_hook_registers_adaptix_not_as_default():
    hooks = _entry_point().load()
    calls = []

    def register(name, factory, /, *, default=False):
        calls.append((name, factory, default))

    hooks.jobify_register_typeadapters(register)
    assert calls == [("adaptix", "jobify_typeadapter_adaptix.converter:AdaptixConverter", False)]
    module, _, attr = calls[0][1].partition(":")
    assert getattr(importlib.import_module(module), attr) is AdaptixConverter


def test_hooks_match_the_kernel_specs():
    pm = pluggy.PluginManager(jobify.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(jobify.hookspecs)
    pm.register(_entry_point().load())
    pm.check_pending()
    names = []
    pm.hook.jobify_register_typeadapters(
        register=lambda name, factory, /, *, default=False: names.append(name)
    )
    assert names == ["adaptix"]


def test_hooks_module_does_not_import_adaptix():
    code = (
        "import sys, jobify_typeadapter_adaptix._hooks\n"
        "assert 'adaptix' not in sys.modules, 'adaptix imported by discovery'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_chosen_by_name_in_jobify_toml_with_options(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        "[jobify.storage]\nuse = false\n"
        '[jobify.typeadapter]\nuse = "adaptix"\nstrict_coercion = false\ndebug_trail = "first"\n'
    )
    app = Jobify.from_config(
        cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
    )
    converter = app.assembly.typeadapter
    assert isinstance(converter, AdaptixConverter)
    assert converter.strict_coercion is False
    assert converter.debug_trail is DebugTrail.FIRST
    assert app.configs.dumper is converter
    assert app.configs.loader is converter
    assert converter.load("1", int) == 1


def test_a_retort_named_in_jobify_toml_is_imported(tmp_path, monkeypatch):
    (tmp_path / "my_retorts.py").write_text(
        "from adaptix import NameStyle, Retort, name_mapping\n"
        "retort = Retort(recipe=[name_mapping(name_style=NameStyle.CAMEL)])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        "[jobify.storage]\nuse = false\n"
        '[jobify.typeadapter]\nuse = "adaptix"\nretort = "my_retorts:retort"\n'
    )
    app = Jobify.from_config(
        cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
    )
    converter = app.assembly.typeadapter
    import my_retorts

    assert converter.retort is my_retorts.retort


def test_bad_option_in_jobify_toml_fails_at_assembly_naming_the_table(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        "[jobify.storage]\nuse = false\n"
        '[jobify.typeadapter]\nuse = "adaptix"\ndebug_trail = "most"\n'
    )
    with pytest.raises(ConfigError, match=r"\[jobify.typeadapter\].*debug_trail='most'.*'first'"):
        Jobify.from_config(
            cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
        )


def test_seed_has_no_path_for_this_plugin_and_the_package_exports_it():
    import jobify.typeadapter
    import jobify_typeadapter_adaptix

    assert jobify_typeadapter_adaptix.AdaptixConverter is AdaptixConverter
    assert not hasattr(jobify.typeadapter, "AdaptixConverter")
