"""The plugin is installed, found in the ``jobify`` entry-point group, and registers its parser."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import entry_points

import pluggy

import jobify.hookspecs
from jobify_cron_croniter import create_crontab

GROUP = "jobify"
NAME = "cron-croniter"


def _entry_point():
    (ep,) = entry_points(group=GROUP, name=NAME)
    return ep


def test_entry_point_is_declared_by_this_distribution():
    ep = _entry_point()
    assert ep.value == "jobify_cron_croniter._hooks"
    assert ep.dist is not None
    assert ep.dist.name == "jobify-cron-croniter"
    assert ep.dist.version == "0.1.0"


def test_hook_registers_croniter_as_the_default_parser():
    hooks = _entry_point().load()
    calls = []

    def register(name, factory, /, *, default=False):
        calls.append((name, factory, default))

    hooks.jobify_register_cron_parsers(register)
    assert calls == [("croniter", "jobify_cron_croniter.crontab:create_crontab", True)]
    module, _, attr = calls[0][1].partition(":")
    assert getattr(importlib.import_module(module), attr) is create_crontab


def test_hooks_match_the_kernel_specs():
    pm = pluggy.PluginManager(jobify.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(jobify.hookspecs)
    pm.register(_entry_point().load())
    pm.check_pending()
    calls = []
    pm.hook.jobify_register_cron_parsers(
        register=lambda name, factory, /, *, default=False: calls.append(name)
    )
    assert calls == ["croniter"]


def test_hooks_module_does_not_import_croniter():
    code = (
        "import sys, jobify_cron_croniter._hooks\n"
        "assert 'croniter' not in sys.modules, 'croniter imported too early'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_seed_import_path_resolves_to_this_plugin():
    from jobify.crontab import create_crontab as seeded

    assert seeded is create_crontab
