"""The plugin is installed, found in the ``jobify`` entry-point group, and registers its parser."""

from __future__ import annotations

from jobify.testing.contracts import DistributionContract
from jobify_cron_croniter import create_crontab

GROUP = "jobify"
NAME = "cron-croniter"


def test_seed_import_path_resolves_to_this_plugin():
    from jobify.crontab import create_crontab as seeded

    assert seeded is create_crontab


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "cron-croniter"
    distribution = "jobify-cron-croniter"
    offers = {
        "jobify_register_cron_parsers": [
            ("croniter", "jobify_cron_croniter.crontab:create_crontab", True),
        ],
    }
    lazy_modules = ("croniter",)
