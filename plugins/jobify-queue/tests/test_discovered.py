"""The plugin is installed, found in the ``jobify`` entry-point group, and registers ``queue``."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import entry_points

import pluggy

import jobify.hookspecs
import jobify_queue
from jobify_queue import Item, JobifyQueue, QueueMiddleware

GROUP = "jobify"
NAME = "queue"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_entry_point_is_declared_by_this_distribution():
    ep = _entry_point()
    assert ep.value == "jobify_queue._hooks"
    assert ep.dist is not None
    assert ep.dist.name == "jobify-queue"
    assert ep.dist.version == "0.1.0"


def test_hook_registers_queue():
    hooks = _entry_point().load()
    calls = []

    def register(name, factory, /, *, default=False):
        calls.append((name, factory, default))

    hooks.jobify_register_middleware(register)
    assert calls == [("queue", "jobify_queue.middleware:QueueMiddleware", False)]
    module, _, attr = calls[0][1].partition(":")
    assert getattr(importlib.import_module(module), attr) is QueueMiddleware


def test_hooks_match_the_kernel_specs():
    pm = pluggy.PluginManager(jobify.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(jobify.hookspecs)
    pm.register(_entry_point().load())
    pm.check_pending()
    names = []
    pm.hook.jobify_register_middleware(
        register=lambda name, factory, /, *, default=False: names.append(name)
    )
    assert names == ["queue"]


def test_hooks_module_does_not_import_the_middleware():
    code = (
        "import sys, jobify_queue._hooks\n"
        "assert 'jobify_queue.middleware' not in sys.modules\n"
        "assert 'jobify_queue.queue' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


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
