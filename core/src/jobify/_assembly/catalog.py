"""The catalog: every capability offered by the registered plugins, by name."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any, Final

import attrs

from jobify.exceptions import PluginConflictError, PluginNotFoundError
from jobify.options import did_you_mean

__all__ = ("CAPABILITIES", "Catalog", "Offer", "TableOffer")

CAPABILITIES: Final = {
    # capability: (hook suffix, what one is called in messages)
    "storage": "storages",
    "serializer": "serializers",
    "typeadapter": "typeadapters",
    "executor": "executors",
    "cron": "cron_parsers",
    "middleware": "middleware",
}
_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")


@attrs.frozen(kw_only=True)
class Offer:
    """One named implementation of a capability, as a plugin registered it."""

    capability: str
    name: str
    factory: Callable[..., Any] | str
    plugin: str
    dist: str
    version: str
    default: bool = False
    typed_default: bool = False

    def load(self) -> Callable[..., Any]:
        """Return the factory, importing it if it was registered as ``"module:attr"``."""
        if not isinstance(self.factory, str):
            return self.factory
        factory: Callable[..., Any] = import_target(
            self.factory, f"{self.capability} {self.name!r} ({self.dist})"
        )
        return factory

    def describe(self) -> str:
        """``name (dist version)``, for listings and errors."""
        return f"{self.name} ({self.dist} {self.version})"


@attrs.frozen(kw_only=True)
class TableOffer:
    """A ``[jobify.<name>]`` table a plugin claimed, with the attrs class of its keys."""

    name: str
    options: type[Any] | str
    plugin: str
    dist: str
    version: str

    def load(self) -> type[Any]:
        """Return the options class, importing it if it was registered as ``"module:attr"``."""
        if not isinstance(self.options, str):
            return self.options
        cls: type[Any] = import_target(self.options, f"table [jobify.{self.name}] ({self.dist})")
        return cls

    def describe(self) -> str:
        """``[jobify.name] (dist version)``, for listings and errors."""
        return f"[jobify.{self.name}] ({self.dist} {self.version})"


def import_target(target: str, what: str) -> Any:
    """Import ``"module:attr"``; errors name ``what`` and the target."""
    mod_name, sep, attr = target.partition(":")
    if not sep or not mod_name or not attr:
        msg = f"{what}: {target!r} is not of the form 'module:attr'"
        raise ValueError(msg)
    try:
        obj: Any = importlib.import_module(mod_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        msg = f"{what}: cannot import {target!r}: {exc}"
        raise PluginNotFoundError(msg) from exc
    return obj


@attrs.define(eq=False)
class Catalog:
    """Capabilities by name; filled by the registration hooks at assembly."""

    offers: dict[str, dict[str, Offer]] = attrs.field(
        factory=lambda: {cap: {} for cap in CAPABILITIES}
    )

    def add(self, offer: Offer) -> None:
        """Add ``offer``; a name or a default offered twice fails with both plugins named."""
        if not _NAME.match(offer.name):
            msg = (
                f"plugin {offer.plugin!r} ({offer.dist}) registered the {offer.capability} name "
                f"{offer.name!r}; names must match [a-z][a-z0-9-]*"
            )
            raise ValueError(msg)
        same = self.offers[offer.capability]
        other = same.get(offer.name)
        if other is not None:
            msg = (
                f"{offer.capability} {offer.name!r} is offered by {other.dist} {other.version} "
                f"(plugin {other.plugin!r}) and {offer.dist} {offer.version} (plugin "
                f'{offer.plugin!r}). Disable one: [jobify.plugins] disable = ["{offer.plugin}"]'
            )
            raise PluginConflictError(msg)
        for typed in (False, True):
            if not (offer.typed_default if typed else offer.default):
                continue
            if offer.capability == "executor":
                continue
            current = self._marked(offer.capability, typed=typed)
            if current is not None:
                kind = "typed default" if typed else "default"
                msg = (
                    f"two {kind} {offer.capability}s: {current.describe()} and "
                    f"{offer.describe()}. Disable one: [jobify.plugins] disable = "
                    f'["{offer.plugin}"], or choose one in jobify.toml'
                )
                raise PluginConflictError(msg)
        same[offer.name] = offer

    def _marked(self, capability: str, *, typed: bool) -> Offer | None:
        offers = self.offers[capability].values()
        if typed:
            return next((o for o in offers if o.typed_default), None)
        return next((o for o in offers if o.default), None)

    def default(self, capability: str, *, typed: bool = False) -> Offer | None:
        """The offer registered with ``default=True``, if any.

        ``typed``: the app has a type adapter; an offer registered with
        ``typed_default=True`` wins then.
        """
        return (typed and self._marked(capability, typed=True)) or self._marked(
            capability, typed=False
        )

    def get(self, capability: str, name: str, *, where: str) -> Offer:
        """Return the offer ``name``; an unknown one lists what is installed."""
        offers = self.offers[capability]
        try:
            return offers[name]
        except KeyError:
            pass
        installed = ", ".join(o.describe() for o in offers.values()) or "none"
        msg = f"{where}: no {capability} named {name!r}. Installed: {installed}."
        msg += did_you_mean(name, offers)
        from jobify._assembly.seed import SEED

        dists = sorted({row[0] for row in SEED.values() if name in row[0]})
        if dists:
            msg += f" It may be provided by: pip install {dists[0]}"
        raise PluginNotFoundError(msg)

    def names(self, capability: str) -> list[str]:
        """Registered names of ``capability``."""
        return list(self.offers[capability])
