"""The distribution contract catches a plugin whose discovery is wrong."""

from __future__ import annotations

import subprocess

import pytest

from jobify.testing.contracts import DistributionContract


class Sqlite(DistributionContract):
    entry_point = "storage-sqlite"
    distribution = "jobify-storage-sqlite"
    offers = {  # noqa: RUF012
        "jobify_register_storages": [
            ("sqlite", "jobify_storage_sqlite.storage:SQLiteStorage", True)
        ]
    }
    lazy_modules = ("sqlite3",)


def test_the_real_offers_pass() -> None:
    Sqlite().test_hooks_register_what_they_offer()
    Sqlite().test_entry_point_is_declared_by_this_distribution()


def test_a_wrong_default_fails() -> None:
    class NotDefault(Sqlite):
        offers = {  # noqa: RUF012
            "jobify_register_storages": [
                ("sqlite", "jobify_storage_sqlite.storage:SQLiteStorage", False)
            ]
        }

    with pytest.raises(AssertionError):
        NotDefault().test_hooks_register_what_they_offer()


def test_another_distribution_fails() -> None:
    class Impostor(Sqlite):
        distribution = "jobify-storage-other"

    with pytest.raises(AssertionError):
        Impostor().test_entry_point_is_declared_by_this_distribution()


def test_a_heavy_import_at_discovery_fails() -> None:
    class Heavy(Sqlite):
        lazy_modules = ("jobify.hookspecs",)  # the hooks module does import this one

    with pytest.raises(subprocess.CalledProcessError):
        Heavy().test_discovery_imports_nothing_heavy()
