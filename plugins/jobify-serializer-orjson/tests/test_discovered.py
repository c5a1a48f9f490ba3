"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``orjson``."""

from __future__ import annotations

from importlib.metadata import entry_points

import orjson
import pytest

from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify.testing.contracts import DistributionContract
from jobify_serializer_orjson import OrjsonSerializer

GROUP = "jobify"
NAME = "serializer-orjson"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


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


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "serializer-orjson"
    distribution = "jobify-serializer-orjson"
    offers = {
        "jobify_register_serializers": [
            ("orjson", "jobify_serializer_orjson.serializer:OrjsonSerializer", False),
        ],
    }
    lazy_modules = ("orjson",)
