"""Finding plugin distributions: the ``jobify`` entry-point group.

This module is the only user of ``importlib.metadata``. The scan runs once
per process and is cached. Two distributions declaring the same entry-point
name fail loudly (pluggy would silently keep one). Plugins register sorted by
name, so the order never depends on ``sys.path``.

Environment switches: ``JOBIFY_DISABLE_PLUGIN_AUTOLOAD=1`` skips the scan
(only plugins passed explicitly are used); ``JOBIFY_TRACE_PLUGINS=1`` prints
every hook call to stderr.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
import urllib.parse
from importlib.metadata import PackageNotFoundError, distribution, entry_points
from pathlib import Path
from typing import Final

import attrs

from jobify.exceptions import PluginConflictError, PluginLoadError
from jobify.hookspecs import PROJECT_NAME

__all__ = (
    "AUTOLOAD_ENV",
    "TRACE_ENV",
    "PluginInfo",
    "autoload_enabled",
    "installed_plugins",
    "locate_file",
)

AUTOLOAD_ENV: Final = "JOBIFY_DISABLE_PLUGIN_AUTOLOAD"
TRACE_ENV: Final = "JOBIFY_TRACE_PLUGINS"


@attrs.frozen(kw_only=True)
class PluginInfo:
    """One plugin distribution's entry point."""

    name: str
    value: str
    dist: str
    version: str

    def load(self) -> object:
        """Import the plugin's hook module."""
        try:
            return importlib.import_module(self.value)
        except Exception as exc:
            msg = (
                f'Error importing plugin "{self.name}" ({self.value}) of distribution '
                f"{self.dist} {self.version}: {type(exc).__name__}: {exc}. Reinstall it, or "
                f'disable it: [jobify.plugins] disable = ["{self.name}"]'
            )
            raise PluginLoadError(msg) from exc


def autoload_enabled() -> bool:
    """Whether entry points are scanned (``JOBIFY_DISABLE_PLUGIN_AUTOLOAD`` unset)."""
    return os.environ.get(AUTOLOAD_ENV, "").strip().lower() in ("", "0", "false", "no")


def trace_enabled() -> bool:
    """Whether hook calls are traced to stderr (``JOBIFY_TRACE_PLUGINS=1``)."""
    return os.environ.get(TRACE_ENV, "").strip().lower() in ("1", "true", "yes")


@functools.cache
def installed_plugins() -> tuple[PluginInfo, ...]:
    """Every entry point of the ``jobify`` group, sorted by name; cached per process."""
    found: dict[str, PluginInfo] = {}
    for ep in entry_points(group=PROJECT_NAME):
        dist = getattr(ep, "dist", None)
        info = PluginInfo(
            name=ep.name,
            value=ep.value,
            dist=dist.metadata["Name"] if dist is not None else "?",
            version=dist.version if dist is not None else "?",
        )
        other = found.get(ep.name)
        if other is not None and (other.dist, other.value) != (info.dist, info.value):
            msg = (
                f"plugin name {ep.name!r} is declared by two distributions: "
                f"{other.dist} {other.version} ({other.value}) and {info.dist} {info.version} "
                f"({info.value}). Uninstall one of them (pip uninstall ...)."
            )
            raise PluginConflictError(msg)
        found[ep.name] = info
    return tuple(sorted(found.values(), key=lambda p: p.name))


def locate_file(dist_name: str, relpath: str) -> str:
    """Say whether ``relpath`` exists in distribution ``dist_name``: ``"present"`` or why not.

    Looked for under the project root of a source-tree install
    (``direct_url.json`` with a ``file://`` URL, e.g. ``pip install -e``), then
    among the files the distribution installed (a wheel usually ships no tests).
    """
    try:
        dist = distribution(dist_name)
    except PackageNotFoundError:
        return "not checked: distribution not found"
    direct = dist.read_text("direct_url.json")
    if direct:
        # direct_url.json (PEP 610); a regex, since the kernel imports no JSON codec
        found = re.search(r'"url"\s*:\s*"(file://[^"]*)"', direct)
        if found:
            url = found.group(1)
            root = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path))
            if (root / relpath).is_file():
                return "present"
    if any(str(f).replace("\\", "/").endswith(relpath) for f in dist.files or ()):
        return "present"
    return "declared; not in this install"


def write_trace(*args: object) -> None:
    """Pluggy trace writer: one line per hook call on stderr."""
    print("jobify-trace:", *args, file=sys.stderr, end="")
