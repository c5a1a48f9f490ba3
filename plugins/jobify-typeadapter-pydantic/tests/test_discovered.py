"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``pydantic``."""

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
from jobify_typeadapter_pydantic import PydanticConverter

GROUP = "jobify"
NAME = "typeadapter-pydantic"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_entry_point_is_declared_by_this_distribution():
    ep = _entry_point()
    assert ep.value == "jobify_typeadapter_pydantic._hooks"
    assert ep.dist is not None
    assert ep.dist.name == "jobify-typeadapter-pydantic"
    assert ep.dist.version == "0.1.0"


def test_hook_registers_pydantic_not_as_default():
    hooks = _entry_point().load()
    calls = []

    def register(name, factory, /, *, default=False):
        calls.append((name, factory, default))

    hooks.jobify_register_typeadapters(register)
    assert calls == [("pydantic", "jobify_typeadapter_pydantic.converter:PydanticConverter", False)]
    module, _, attr = calls[0][1].partition(":")
    assert getattr(importlib.import_module(module), attr) is PydanticConverter


def test_hooks_match_the_kernel_specs():
    pm = pluggy.PluginManager(jobify.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(jobify.hookspecs)
    pm.register(_entry_point().load())
    pm.check_pending()
    names = []
    pm.hook.jobify_register_typeadapters(
        register=lambda name, factory, /, *, default=False: names.append(name)
    )
    assert names == ["pydantic"]


def test_hooks_module_does_not_import_pydantic():
    code = (
        "import sys, jobify_typeadapter_pydantic._hooks\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported by discovery'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_seed_import_path_resolves_to_this_plugin():
    from jobify.typeadapter import PydanticConverter as seeded

    assert seeded is PydanticConverter


def test_chosen_by_name_in_jobify_toml_with_options(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        "[jobify.storage]\nuse = false\n"
        '[jobify.typeadapter]\nuse = "pydantic"\nby_alias = true\n'
        "config = { str_strip_whitespace = true }\n"
    )
    app = Jobify.from_config(
        cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
    )
    converter = app.assembly.typeadapter
    assert isinstance(converter, PydanticConverter)
    assert converter.by_alias is True
    assert app.configs.dumper is converter
    assert app.configs.loader is converter
    assert converter.load(" x ", str) == "x"


def test_bad_option_in_jobify_toml_fails_at_assembly_naming_the_table(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        "[jobify.storage]\nuse = false\n"
        '[jobify.typeadapter]\nuse = "pydantic"\nconfig = { strict_mode = true }\n'
    )
    with pytest.raises(ConfigError, match=r"\[jobify.typeadapter\].*'strict_mode' is not a"):
        Jobify.from_config(
            cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
        )
