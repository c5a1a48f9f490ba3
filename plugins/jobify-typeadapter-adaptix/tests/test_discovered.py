"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``adaptix``."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from adaptix import DebugTrail

from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify.testing.contracts import DistributionContract
from jobify_typeadapter_adaptix import AdaptixConverter

GROUP = "jobify"
NAME = "typeadapter-adaptix"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


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


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "typeadapter-adaptix"
    distribution = "jobify-typeadapter-adaptix"
    offers = {
        "jobify_register_typeadapters": [
            ("adaptix", "jobify_typeadapter_adaptix.converter:AdaptixConverter", False),
        ],
    }
    lazy_modules = ("adaptix",)
