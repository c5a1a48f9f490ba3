"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``queue``."""

from __future__ import annotations

import jobify_queue
from jobify.testing.contracts import DistributionContract
from jobify_queue import Item, JobifyQueue, QueueMiddleware

GROUP = "jobify"
NAME = "queue"


def test_reference_import_paths_resolve_here():
    from jobify.middleware import Item as SeedItem
    from jobify.middleware import JobifyQueue as SeedQueue
    from jobify.middleware import QueueMiddleware as SeedMiddleware

    assert SeedMiddleware is QueueMiddleware
    assert SeedQueue is JobifyQueue
    assert SeedItem is Item
    assert sorted(jobify_queue.__all__) == [
        "Item", "JobifyQueue", "PriorityJobQueue", "QueueMiddleware",
    ]  # fmt: skip


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, offers, and a light discovery."""

    entry_point = "queue"
    distribution = "jobify-queue"
    offers = {
        "jobify_register_middleware": [
            ("queue", "jobify_queue.middleware:QueueMiddleware", False),
        ],
    }
    lazy_modules = ("jobify_queue.middleware", "jobify_queue.queue")
