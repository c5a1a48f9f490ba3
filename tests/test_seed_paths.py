"""The reference's import paths resolve to the installed plugin distributions."""

from __future__ import annotations

import importlib

import pytest

from jobify._assembly.seed import SEED


@pytest.mark.parametrize(("module", "name"), sorted(SEED), ids=lambda v: str(v))
def test_seed_path_resolves_to_the_plugin(module: str, name: str) -> None:
    dist, _extra, target = SEED[(module, name)]
    public = getattr(importlib.import_module(module), name)
    mod_name, _, attr = target.partition(":")
    assert public is getattr(importlib.import_module(mod_name), attr)


def test_reference_default_instances_work() -> None:
    from jobify.crontab import create_crontab
    from jobify.serializers import JSONSerializer
    from jobify.storage import SQLiteStorage

    assert JSONSerializer().loadb(JSONSerializer().dumpb({"a": [1]})) == {"a": [1]}
    assert SQLiteStorage("x.db").database.name == "x.db"
    assert create_crontab("* * * * *") is not None


def test_unknown_name_is_an_attribute_error() -> None:
    import jobify.storage

    with pytest.raises(AttributeError, match="has no attribute 'RedisStorage'"):
        jobify.storage.RedisStorage  # noqa: B018
