"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``cbor``."""

from __future__ import annotations

from importlib.metadata import entry_points
from zoneinfo import ZoneInfo

import pytest

from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify.testing.contracts import DistributionContract
from jobify_serializer_cbor import CBORSerializer

GROUP = "jobify"
NAME = "serializer-cbor"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


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


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "serializer-cbor"
    distribution = "jobify-serializer-cbor"
    offers = {
        "jobify_register_serializers": [
            ("cbor", "jobify_serializer_cbor.serializer:CBORSerializer", False),
        ],
    }
    lazy_modules = ("cbor2",)
