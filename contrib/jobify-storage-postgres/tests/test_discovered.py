"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``postgres``."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from jobify import Jobify
from jobify.exceptions import ConfigError
from jobify.testing.contracts import DistributionContract
from jobify_storage_postgres import PostgresStorage

GROUP = "jobify"
NAME = "storage-postgres"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


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


def test_chosen_by_name_in_jobify_toml_with_every_option(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[jobify.storage]\nuse = "postgres"\ndsn = "postgresql://u:pw@db:5432/jobs"\n'
        'schema = "billing"\nnode_name = "worker-1"\nlease_seconds = 30\n'
        "retry_max_delay = 2.5\npool_size = 8\ncommand_timeout = 12.5\n"
    )
    storage = _app(cfg).configs.storage
    assert isinstance(storage, PostgresStorage)
    assert (storage.dsn, storage.schema, storage.node_name) == (
        "postgresql://u:pw@db:5432/jobs",
        "billing",
        "worker-1",
    )
    assert (storage.lease_seconds, storage.retry_max_delay, storage.pool_size) == (30, 2.5, 8)
    assert storage.command_timeout == 12.5
    assert "pw" not in repr(storage)


def test_is_not_the_default(tmp_path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify]\ntz = "UTC"\n')
    assert not isinstance(_app(cfg).configs.storage, PostgresStorage)


@pytest.mark.parametrize(
    ("lines", "match"),
    [
        ("", r"\[jobify.storage\].*dsn.*required.*PostgreSQL URL"),
        ('dsn = "postgresql://h/db"\nschema = "Bad-Name"', r"schema='Bad-Name'.*'bad_name'"),
        (
            'dsn = "postgresql://h/db"\nlease_secs = 3',
            r"'lease_secs'.*Did you mean 'lease_seconds'",
        ),
        ('dsn = "postgresql://h/db"\npool_size = 0', r"\[jobify.storage\].*pool_size=0"),
    ],
)
def test_bad_options_in_jobify_toml_fail_at_assembly(tmp_path, lines, match):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(f'[jobify.storage]\nuse = "postgres"\n{lines}\n')
    with pytest.raises(ConfigError, match=match):
        _app(cfg)


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "storage-postgres"
    distribution = "jobify-storage-postgres"
    offers = {
        "jobify_register_storages": [
            ("postgres", "jobify_storage_postgres.storage:PostgresStorage", False),
        ],
    }
    lazy_modules = ("asyncpg", "jobify_storage_postgres.storage")
