"""The plugin is installed, found in the ``jobify`` entry-point group, and registers its three names."""

from __future__ import annotations

import importlib
import subprocess
import sys
from http import HTTPStatus
from importlib.metadata import entry_points

import pluggy
import pytest

import jobify.hookspecs
from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify_serializer_json import ExtendedJSONSerializer, JSONSerializer, UnsafePickleSerializer

GROUP = "jobify"
NAME = "serializer-json"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_entry_point_is_declared_by_this_distribution():
    ep = _entry_point()
    assert ep.value == "jobify_serializer_json._hooks"
    assert ep.dist is not None
    assert ep.dist.name == "jobify-serializer-json"
    assert ep.dist.version == "0.1.0"


def test_hook_registers_json_as_default_and_the_other_two():
    hooks = _entry_point().load()
    calls = []

    def register(name, factory, /, *, default=False):
        calls.append((name, factory, default))

    hooks.jobify_register_serializers(register)
    assert calls == [
        ("json", "jobify_serializer_json.serializer:JSONSerializer", True),
        ("json-extended", "jobify_serializer_json.extended:ExtendedJSONSerializer", False),
        ("pickle-unsafe", "jobify_serializer_json.unsafe_pickle:UnsafePickleSerializer", False),
    ]
    expected = [JSONSerializer, ExtendedJSONSerializer, UnsafePickleSerializer]
    for (_, target, _), cls in zip(calls, expected, strict=True):
        module, _, attr = target.partition(":")
        assert getattr(importlib.import_module(module), attr) is cls


def test_hooks_match_the_kernel_specs():
    pm = pluggy.PluginManager(jobify.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(jobify.hookspecs)
    pm.register(_entry_point().load())
    pm.check_pending()
    names = []
    pm.hook.jobify_register_serializers(
        register=lambda name, factory, /, *, default=False: names.append(name)
    )
    assert names == ["json", "json-extended", "pickle-unsafe"]


def test_hooks_module_imports_no_serializer_module():
    code = (
        "import sys, jobify_serializer_json._hooks\n"
        "loaded = [m for m in sys.modules if m.startswith('jobify_serializer_json.')]\n"
        "assert loaded == ['jobify_serializer_json._hooks'], loaded\n"
        "assert 'pickle' not in sys.modules\n"
        "from jobify_serializer_json import JSONSerializer\n"
        "assert 'jobify_serializer_json.unsafe_pickle' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


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
        "SerializerError",
        "UnsafePickleSerializer",
    ]
    assert set(pkg.__all__) <= set(dir(pkg))
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        pkg.Nope  # noqa: B018


def _app(cfg):
    return Jobify.from_config(
        cfg, autoload=False, hook_plugins=[_entry_point().load()], cron_factory=lambda e: None
    )


def test_json_is_the_default(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text("[jobify.storage]\nuse = false\n")
    assert isinstance(_app(cfg).configs.serializer, JSONSerializer)


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
        ConfigError, match=r"\[jobify.serializer\].*cannot import 'myapp.nowhere:Point'"
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
