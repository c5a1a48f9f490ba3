"""The plugins of one app behind one typed facade: the only module that touches pluggy.

:class:`PluginSet` owns a ``PluginManager`` of its own (no global one, no
state kept on pluggy's objects) and answers in jobify's types: the offers of
the registration hooks, the claimed config tables, the observer and
lifecycle implementations. Registration hooks are called implementation by
implementation, so each offer is attributed to the plugin that made it (and
a clash can name both). Observer and lifecycle implementations are looked up
once and returned as plain functions for the kernel to call directly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from jobify import hookspecs
from jobify._assembly import discovery
from jobify._assembly.catalog import CAPABILITIES, Catalog, Offer, TableOffer
from jobify._assembly.discovery import PluginInfo, trace_enabled, write_trace
from jobify.exceptions import ConfigError, PluginConflictError

if TYPE_CHECKING:
    from jobify._assembly.config import Settings

__all__ = ("PluginSet",)

_TABLE = re.compile(r"[a-z][a-z0-9_]*\Z")


@attrs.frozen
class PluginSet:
    """The plugin distributions one app loaded, and typed calls of their hooks.

    Attributes:
        loaded: the installed distributions found through the ``jobify``
            entry-point group and loaded (not the disabled ones).
    """

    _manager: pluggy.PluginManager
    _dists: Mapping[str, tuple[str, str]]
    """Registered plugin name -> (distribution, version)."""
    loaded: tuple[PluginInfo, ...]

    @classmethod
    def load(cls, settings: Settings, plugins: Sequence[object], *, autoload: bool) -> PluginSet:
        """Register the installed distributions (unless ``autoload`` is off) and ``plugins``.

        Raises:
            ConfigError: ``[jobify.plugins] disable`` names no installed plugin.
        """
        manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        manager.add_hookspecs(hookspecs)
        dists: dict[str, tuple[str, str]] = {}
        loaded: list[PluginInfo] = []
        if autoload and discovery.autoload_enabled():
            installed = discovery.installed_plugins()
            known = {p.name for p in installed}
            for name in settings.disable:
                if name not in known:
                    msg = (
                        f"{settings.where('plugins')} disable: no plugin named {name!r}. "
                        f"Installed: {', '.join(sorted(known)) or 'none'}."
                    )
                    raise ConfigError(msg)
            for info in installed:
                if info.name in settings.disable:
                    manager.set_blocked(info.name)
                    continue
                manager.register(info.load(), name=info.name)
                dists[info.name] = (info.dist, info.version)
                loaded.append(info)
        for index, plugin in enumerate(plugins):
            name = getattr(plugin, "__name__", None) or f"explicit-{index}"
            manager.register(plugin, name=name)
            dists[name] = (name, "local")
        manager.check_pending()
        return cls(manager, dists, tuple(loaded))

    def offers(self) -> Catalog:
        """Run every registration hook once and return what was registered."""
        catalog = Catalog()
        for capability, suffix in CAPABILITIES.items():
            caller = getattr(self._manager.hook, f"jobify_register_{suffix}")
            for impl in caller.get_hookimpls():
                dist, version = self._dists.get(impl.plugin_name, (impl.plugin_name, "?"))

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

    def tables(self, reserved: Collection[str]) -> dict[str, TableOffer]:
        """Run ``jobify_register_config_tables`` once; the tables the plugins claim, by name.

        ``reserved``: the kernel's own keys, which no plugin may claim.
        """
        tables: dict[str, TableOffer] = {}
        for impl in self._manager.hook.jobify_register_config_tables.get_hookimpls():
            dist, version = self._dists.get(impl.plugin_name, (impl.plugin_name, "?"))

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
                    msg = (
                        f"{who} claimed [jobify.{name}], a table of the kernel; choose another name"
                    )
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

    def implementations(self, hook: str) -> tuple[Callable[..., Any], ...]:
        """The implementations of ``hook``, in call order, as plain functions."""
        caller = getattr(self._manager.hook, hook)
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
