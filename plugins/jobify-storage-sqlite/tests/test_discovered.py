"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``sqlite``."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify.testing.contracts import DistributionContract
from jobify_storage_sqlite import SQLiteStorage

GROUP = "jobify"
NAME = "storage-sqlite"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_seed_import_path_resolves_to_this_plugin():
    from jobify.storage import SQLiteStorage as seeded

    assert seeded is SQLiteStorage


class _Serializer:
    def dumpb(self, data):
        return repr(data).encode()

    def loadb(self, data):
        raise NotImplementedError


def _app(cfg):
    return Jobify.from_config(
        cfg,
        autoload=False,
        hook_plugins=[_entry_point().load()],
        cron_factory=lambda e: None,
        serializer=_Serializer(),
    )


def test_chosen_by_name_in_jobify_toml_with_options(tmp_path):
    cfg = tmp_path / "jobify.toml"
    db = tmp_path / "app.db"
    cfg.write_text(
        f'[jobify.storage]\nuse = "sqlite"\ndatabase = "{db.as_posix()}"\n'
        'table_name = "my_jobs"\ntimeout = 5.0\nmax_queue_size = 64\n'
    )
    storage = _app(cfg).configs.storage
    assert isinstance(storage, SQLiteStorage)
    assert (storage.database, storage.table_name) == (db, "my_jobs")
    assert (storage.timeout, storage.max_queue_size) == (5.0, 64)


def test_is_the_default_when_no_storage_is_chosen(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify]\ntz = "UTC"\n')
    storage = _app(cfg).configs.storage
    assert isinstance(storage, SQLiteStorage)
    assert str(storage.database) == "jobify.db"


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ('table_name = "bad name"', r"\[jobify.storage\].*table_name='bad name'.*'bad_name'"),
        ('tabel_name = "x"', r"\[jobify.storage\].*'tabel_name'.*Did you mean 'table_name'"),
        ("max_queue_size = 0", r"\[jobify.storage\].*max_queue_size=0"),
    ],
)
def test_bad_options_in_jobify_toml_fail_at_assembly(tmp_path, line, match):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(f'[jobify.storage]\nuse = "sqlite"\n{line}\n')
    with pytest.raises(ConfigError, match=match):
        _app(cfg)


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "storage-sqlite"
    distribution = "jobify-storage-sqlite"
    offers = {
        "jobify_register_storages": [
            ("sqlite", "jobify_storage_sqlite.storage:SQLiteStorage", True),
        ],
    }
    lazy_modules = ("sqlite3", "jobify_storage_sqlite.storage")
