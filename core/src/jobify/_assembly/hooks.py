"""Typed calls of the hooks: the only module that touches ``pm.hook``.

Registration hooks are called implementation by implementation, so each
offer is attributed to the plugin that made it (and a clash can name both).
Observer and lifecycle implementations are looked up once and returned as
plain functions for the kernel to call directly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection
from typing import Any

import pluggy

from jobify._assembly.catalog import CAPABILITIES, Catalog, Offer, TableOffer
from jobify._assembly.discovery import trace_enabled, write_trace
from jobify.exceptions import PluginConflictError

__all__ = ("collect_offers", "collect_tables", "impl_functions", "plugin_dists")

_TABLE = re.compile(r"[a-z][a-z0-9_]*\Z")

# plugin name registered in the PluginManager -> (distribution, version)
DistMap = dict[str, tuple[str, str]]


def plugin_dists(pm: pluggy.PluginManager) -> DistMap:
    """Distribution and version of each registered plugin, as assembly recorded them."""
    return getattr(pm, "_jobify_dists", {})


def collect_offers(pm: pluggy.PluginManager, dists: DistMap) -> Catalog:
    """Run every registration hook once and return what was registered."""
    catalog = Catalog()
    for capability, suffix in CAPABILITIES.items():
        caller = getattr(pm.hook, f"jobify_register_{suffix}")
        for impl in caller.get_hookimpls():
            dist, version = dists.get(impl.plugin_name, (impl.plugin_name, "?"))

            def register(
                name: str,
                factory: Callable[..., Any] | str,
                /,
                *,
                default: bool = False,
                typed_default: bool = False,
                _cap: str = capability,
                _plugin: str = impl.plugin_name,
                _dist: str = dist,
                _version: str = version,
            ) -> None:
                if not (isinstance(factory, str) or callable(factory)):
                    msg = (
                        f"plugin {_plugin!r} ({_dist}) registered {_cap} {name!r} with "
                        f"{factory!r}; expected a callable or a 'module:attr' string"
                    )
                    raise TypeError(msg)
                catalog.add(
                    Offer(
                        capability=_cap,
                        name=name,
                        factory=factory,
                        plugin=_plugin,
                        dist=_dist,
                        version=_version,
                        default=default,
                        typed_default=typed_default,
                    )
                )

            kwargs = {"register": register}
            if trace_enabled():
                write_trace(f"jobify_register_{suffix} -> {impl.plugin_name} ({dist})\n")
            impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
    return catalog


def collect_tables(
    pm: pluggy.PluginManager, dists: DistMap, reserved: Collection[str]
) -> dict[str, TableOffer]:
    """Run ``jobify_register_config_tables`` once; the tables the plugins claim, by name.

    ``reserved``: the kernel's own keys, which no plugin may claim.
    """
    tables: dict[str, TableOffer] = {}
    for impl in pm.hook.jobify_register_config_tables.get_hookimpls():
        dist, version = dists.get(impl.plugin_name, (impl.plugin_name, "?"))

        def register(
            name: str,
            options: type[Any] | str,
            /,
            *,
            _plugin: str = impl.plugin_name,
            _dist: str = dist,
            _version: str = version,
        ) -> None:
            who = f"plugin {_plugin!r} ({_dist})"
            if not isinstance(name, str) or not _TABLE.match(name):
                msg = f"{who} claimed the table {name!r}; names must match [a-z][a-z0-9_]*"
                raise ValueError(msg)
            if name in reserved:
                msg = f"{who} claimed [jobify.{name}], a table of the kernel; choose another name"
                raise ValueError(msg)
            if not isinstance(options, str | type):
                msg = (
                    f"{who} claimed [jobify.{name}] with {options!r}; expected an attrs "
                    "class or a 'module:attr' string naming one"
                )
                raise TypeError(msg)
            other = tables.get(name)
            if other is not None:
                msg = (
                    f"table [jobify.{name}] is claimed by {other.dist} {other.version} (plugin "
                    f"{other.plugin!r}) and {_dist} {_version} (plugin {_plugin!r}). Disable "
                    f'one: [jobify.plugins] disable = ["{_plugin}"]'
                )
                raise PluginConflictError(msg)
            tables[name] = TableOffer(
                name=name, options=options, plugin=_plugin, dist=_dist, version=_version
            )

        if trace_enabled():
            write_trace(f"jobify_register_config_tables -> {impl.plugin_name} ({dist})\n")
        impl.function(**dict.fromkeys(impl.argnames, register))
    return tables


def impl_functions(pm: pluggy.PluginManager, hook: str) -> tuple[Callable[..., Any], ...]:
    """The implementations of ``hook``, in call order, as plain functions."""
    caller = getattr(pm.hook, hook)
    impls = list(reversed(caller.get_hookimpls()))  # pluggy's call order: last registered first
    if not trace_enabled():
        return tuple(impl.function for impl in impls)
    return tuple(_traced(hook, impl.plugin_name, impl.function) for impl in impls)


def _traced(hook: str, plugin: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``func`` to print each call (only with ``JOBIFY_TRACE_PLUGINS=1``)."""

    @functools.wraps(func)
    def call(**kwargs: Any) -> Any:
        write_trace(f"{hook} -> {plugin} {kwargs!r}\n")
        return func(**kwargs)

    return call
