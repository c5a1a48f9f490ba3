"""The plugin is installed, found in the ``jobify`` entry-point group, and registers its pools."""

from __future__ import annotations

from jobify.testing.contracts import DistributionContract

GROUP = "jobify"
NAME = "executor-pools"


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "executor-pools"
    distribution = "jobify-executor-pools"
    offers = {
        "jobify_register_executors": [
            ("thread", "jobify_executor_pools.pools:make_thread_pool", False),
            ("process", "jobify_executor_pools.pools:make_process_pool", False),
        ],
    }
    lazy_modules = ("jobify_executor_pools.pools", "concurrent.futures.process")
