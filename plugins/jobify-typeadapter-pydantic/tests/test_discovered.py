"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``pydantic``."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify.testing.contracts import DistributionContract
from jobify_typeadapter_pydantic import PydanticConverter

GROUP = "jobify"
NAME = "typeadapter-pydantic"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


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


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "typeadapter-pydantic"
    distribution = "jobify-typeadapter-pydantic"
    offers = {
        "jobify_register_typeadapters": [
            ("pydantic", "jobify_typeadapter_pydantic.converter:PydanticConverter", False),
        ],
    }
    lazy_modules = ("pydantic",)
