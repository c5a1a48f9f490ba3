"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``msgpack``."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify.testing.contracts import DistributionContract
from jobify_serializer_msgpack import MsgpackSerializer

GROUP = "jobify"
NAME = "serializer-msgpack"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


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


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "serializer-msgpack"
    distribution = "jobify-serializer-msgpack"
    offers = {
        "jobify_register_serializers": [
            ("msgpack", "jobify_serializer_msgpack.serializer:MsgpackSerializer", False),
        ],
    }
    lazy_modules = ("msgpack",)
