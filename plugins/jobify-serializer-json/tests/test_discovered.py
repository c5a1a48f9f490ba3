"""The plugin is installed, found in the ``jobify`` entry-point group, and registers its three names."""

from __future__ import annotations

from http import HTTPStatus
from importlib.metadata import entry_points

import pytest

from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify.testing.contracts import DistributionContract
from jobify.typeadapter import IdentityAdapter
from jobify_serializer_json import ExtendedJSONSerializer, JSONSerializer, UnsafePickleSerializer

GROUP = "jobify"
NAME = "serializer-json"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_seed_import_paths_resolve_to_this_plugin():
    from jobify.serializers import ExtendedJSONSerializer as extended
    from jobify.serializers import JSONSerializer as plain
    from jobify.serializers import UnsafePickleSerializer as unsafe

    assert (plain, extended, unsafe) == (
        JSONSerializer,
        ExtendedJSONSerializer,
        UnsafePickleSerializer,
    )


def test_package_exports():
    import jobify_serializer_json as pkg

    assert sorted(pkg.__all__) == [
        "ExtendedJSONSerializer",
        "JSONSerializer",
        "PickleDecodeError",
        "UnsafePickleSerializer",
    ]
    assert set(pkg.__all__) <= set(dir(pkg))
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        pkg.Nope  # noqa: B018


def _app(cfg):
    return Jobify.from_config(
        cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
    )


def test_json_extended_is_the_default_and_json_with_a_type_adapter(tmp_path):
    """jobify 0.14's rule: extended JSON, or plain JSON when a dumper/loader is given."""
    cfg = tmp_path / "jobify.toml"
    cfg.write_text("[jobify.storage]\nuse = false\n")
    assert isinstance(_app(cfg).configs.serializer, ExtendedJSONSerializer)
    adapter = IdentityAdapter()
    typed = Jobify.from_config(
        cfg,
        autoload=False,
        hook_plugins=[_entry_point().load()],
        cron_factory=lambda e: None,
        dumper=adapter,
        loader=adapter,
    )
    assert type(typed.configs.serializer) is JSONSerializer


def test_json_extended_chosen_in_jobify_toml_with_a_registry(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "json-extended"\nregistry = ["http:HTTPStatus"]\n'
    )
    serializer = _app(cfg).configs.serializer
    assert isinstance(serializer, ExtendedJSONSerializer)
    assert serializer.registry == {"HTTPStatus": HTTPStatus}
    assert serializer.loadb(serializer.dumpb([HTTPStatus.OK])) == [HTTPStatus.OK]


def test_pickle_unsafe_chosen_by_name(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "pickle-unsafe"\n')
    assert isinstance(_app(cfg).configs.serializer, UnsafePickleSerializer)


def test_bad_registry_in_jobify_toml_fails_at_assembly(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "json-extended"\nregistry = ["myapp.nowhere:Point"]\n'
    )
    with pytest.raises(
        ConfigError,
        match=r"\[jobify.serializer\].*registry='myapp.nowhere:Point'\): cannot import 'myapp.nowhere'",
    ):
        _app(cfg)


@pytest.mark.parametrize("use", ["json", "pickle-unsafe"])
def test_options_of_option_less_serializers_are_refused_by_name(tmp_path, use):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        f'[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "{use}"\nindent = 2\n'
    )
    with pytest.raises(
        ConfigError, match=r"\[jobify.serializer\]: unknown option 'indent'. Valid options: none"
    ):
        _app(cfg)


def test_unknown_option_of_json_extended_names_registry(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[jobify.storage]\nuse = false\n[jobify.serializer]\nuse = "json-extended"\nregistri = []\n'
    )
    with pytest.raises(
        ConfigError,
        match=r"unknown option 'registri'. Valid options: registry. Did you mean 'registry'",
    ):
        _app(cfg)


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "serializer-json"
    distribution = "jobify-serializer-json"
    offers = {
        "jobify_register_serializers": [
            ("json", "jobify_serializer_json.serializer:JSONSerializer", "typed"),
            ("json-extended", "jobify_serializer_json.extended:ExtendedJSONSerializer", True),
            ("pickle-unsafe", "jobify_serializer_json.unsafe_pickle:UnsafePickleSerializer", False),
        ],
    }
    lazy_modules = ("pickle", "jobify_serializer_json.unsafe_pickle")
