"""The plugin is installed, found in the ``jobify`` entry-point group, and registers its pools."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import entry_points

import pluggy

import jobify.hookspecs
from jobify_executor_pools import make_process_pool, make_thread_pool

GROUP = "jobify"
NAME = "executor-pools"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_entry_point_is_declared_by_this_distribution():
    ep = _entry_point()
    assert ep.value == "jobify_executor_pools._hooks"
    assert ep.dist is not None
    assert ep.dist.name == "jobify-executor-pools"
    assert ep.dist.version == "0.1.0"


def test_hook_registers_thread_and_process():
    hooks = _entry_point().load()
    calls = []

    def register(name, factory, /, *, default=False):
        calls.append((name, factory))

    hooks.jobify_register_executors(register)
    assert calls == [
        ("thread", "jobify_executor_pools.pools:make_thread_pool"),
        ("process", "jobify_executor_pools.pools:make_process_pool"),
    ]
    loaded = []
    for _, target in calls:
        module, _, attr = target.partition(":")
        loaded.append(getattr(importlib.import_module(module), attr))
    assert loaded == [make_thread_pool, make_process_pool]


def test_hooks_match_the_kernel_specs():
    pm = pluggy.PluginManager(jobify.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(jobify.hookspecs)
    pm.register(_entry_point().load())
    pm.check_pending()
    names = []
    pm.hook.jobify_register_executors(
        register=lambda name, factory, /, *, default=False: names.append(name)
    )
    assert names == ["thread", "process"]


def test_hooks_module_does_not_import_the_pools():
    code = (
        "import sys, jobify_executor_pools._hooks\n"
        "assert 'jobify_executor_pools.pools' not in sys.modules\n"
        "assert 'concurrent.futures.process' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
