"""The plugin is installed, found in the ``jobify`` entry-point group, and claims ``[jobify.metrics]``."""

from __future__ import annotations

from importlib.metadata import version

import jobify_otel
from jobify.testing.contracts import DistributionContract


def test_version_is_the_distribution_version() -> None:
    assert jobify_otel.__version__ == version("jobify-otel")


def test_every_metric_has_one_name_per_export() -> None:
    names = [m.name for m in jobify_otel.METRICS]
    families = [m.prometheus for m in jobify_otel.METRICS]
    assert len(set(names)) == len(names) == len(set(families))
    assert all(f.startswith("jobify_") for f in families)


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, the table it claims, and a light discovery."""

    entry_point = "otel"
    distribution = "jobify-otel"
    offers = {
        "jobify_register_config_tables": [
            ("metrics", "jobify_otel.config:MetricsOptions", False),
        ],
    }
    lazy_modules = ("prometheus_client", "jobify_otel.prometheus")
