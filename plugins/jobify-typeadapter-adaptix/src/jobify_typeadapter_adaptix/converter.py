"""``AdaptixConverter``: task arguments to plain data and back, by an adaptix ``Retort``.

The kernel calls ``dump(value, annotation)`` for each argument of a durable
job before the serializer runs, and ``load(data, annotation)`` when the job is
restored. Both delegate to one adaptix ``Retort``, which builds a converter
per type on first use and caches it: dataclasses, attrs classes,
``NamedTuple``, ``TypedDict``, enums, ``datetime``, ``date``, ``time``,
``timedelta``, ``UUID``, ``Decimal``, ``bytes`` (as base64), unions and
containers come out as JSON-compatible data and load back as themselves.

The retort is configured in code (``retort=Retort(recipe=[...])``), by a
``"module:attr"`` string naming one (so ``jobify.toml`` can select it), and/or
by the options ``strict_coercion``, ``debug_trail`` and ``recipe``, which are
applied on top of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs
from adaptix import AdornedRetort, DebugTrail, Provider, Retort, loader
from adaptix.load_error import TypeLoadError

from jobify import options
from jobify.typeadapter import Dumper, Loader

__all__ = ("AdaptixConverter",)

T = TypeVar("T")


def _load_timedelta(data: Any) -> timedelta:
    """Load seconds as adaptix does, rounding to the microsecond instead of truncating.

    adaptix 3.0.0b12 computes ``int(data % 1 * 10**6)``, so ``1.000001``
    (stored by its own dumper for ``timedelta(seconds=1, microseconds=1)``)
    loads as one second; negative fractions come out a second off.
    """
    kind = type(data)
    if kind is int or kind is float:
        return timedelta(seconds=data)  # rounds half-even to the microsecond
    if kind is Decimal:
        whole = math.floor(data)
        return timedelta(seconds=whole, microseconds=round((data - whole) * 10**6))
    raise TypeLoadError(int | float | Decimal, data)


_DEFAULT_RECIPE: Final[tuple[Provider, ...]] = (loader(timedelta, _load_timedelta),)


_OWNER: Final = "AdaptixConverter"
_TRAIL_NAMES: Final = tuple(t.value.lower() for t in DebugTrail)
_RETORT: Final = options.optional(options.instance_of(AdornedRetort, noun="an adaptix.Retort"))
_STRICT: Final = options.optional(options.flag(fix="None keeps the retort's setting"))
_TRAIL: Final = options.optional(
    options.instance_of(DebugTrail, noun=f"one of {', '.join(map(repr, _TRAIL_NAMES))}")
)


def _to_retort(value: AdornedRetort | str | None) -> AdornedRetort | None:
    """Accept a retort, or a ``"module:attr"`` string naming one (for ``jobify.toml``)."""
    if not isinstance(value, str):
        return value
    found: AdornedRetort = options.load(_OWNER, "retort", value)
    return found


def _to_trail(value: DebugTrail | str | None) -> DebugTrail | None:
    """Accept a ``DebugTrail`` or its name in any case (``"first"``)."""
    if not isinstance(value, str) or isinstance(value, DebugTrail):
        return value
    try:
        return DebugTrail(value.upper())
    except ValueError:
        problem = f"expected one of {', '.join(map(repr, _TRAIL_NAMES))}."
        problem += options.did_you_mean(value.lower(), _TRAIL_NAMES)
        raise options.fail(_OWNER, "debug_trail", value, problem) from None


def _to_recipe(value: Iterable[Provider]) -> tuple[Provider, ...]:
    if isinstance(value, Provider):  # a single provider: forgive the missing list
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        problem = "expected a list of adaptix providers"
        raise options.fail(_OWNER, "recipe", value, problem, kind=options.OptionTypeError) from None


def _check_recipe(inst: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    for item in value:
        if not isinstance(item, Provider):
            problem = (
                f"{item!r} is not an adaptix provider; build them with adaptix.loader(), "
                "dumper(), name_mapping(), ..."
            )
            raise options.fail(_OWNER, "recipe", value, problem, kind=options.OptionTypeError)


@attrs.frozen(kw_only=True, eq=False)
class AdaptixConverter(Dumper, Loader):
    """Dump and load typed task arguments with an adaptix ``Retort``.

    Args:
        retort: the retort to use, or a ``"module:attr"`` string naming one;
            None builds an ``adaptix.Retort`` whose only change is a
            ``timedelta`` loader that keeps microseconds. The options below are applied
            on top of it (``retort.replace`` / ``retort.extend``), the retort
            passed in is not changed.
        strict_coercion: refuse lossy or surprising conversions when loading
            (``"1"`` -> ``1``); None keeps the retort's setting (adaptix:
            True).
        debug_trail: how much of the location of a loading error to keep:
            ``"disable"``, ``"first"`` or ``"all"``; None keeps the retort's
            setting (adaptix: all).
        recipe: extra adaptix providers (``loader``, ``dumper``,
            ``name_mapping``, ...), taking precedence over the retort's own.
    """

    retort: AdornedRetort | None = attrs.field(
        default=None, converter=_to_retort, validator=_RETORT
    )
    strict_coercion: bool | None = attrs.field(default=None, validator=_STRICT)
    debug_trail: DebugTrail | None = attrs.field(
        default=None, converter=_to_trail, validator=_TRAIL
    )
    recipe: tuple[Provider, ...] = attrs.field(
        default=(), converter=_to_recipe, validator=_check_recipe
    )
    _active: AdornedRetort = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        active: AdornedRetort
        active = Retort(recipe=_DEFAULT_RECIPE) if self.retort is None else self.retort
        if self.strict_coercion is not None:
            active = active.replace(strict_coercion=self.strict_coercion)
        if self.debug_trail is not None:
            active = active.replace(debug_trail=self.debug_trail)
        if self.recipe:
            active = active.extend(recipe=self.recipe)
        object.__setattr__(self, "_active", active)

    @property
    def active_retort(self) -> AdornedRetort:
        """The retort ``dump`` and ``load`` use: ``retort`` with the options applied."""
        return self._active

    def dump(self, data: Any, tp: Any, /) -> Any:
        """Return ``data``, annotated as ``tp``, as plain data (``retort.dump``).

        Raises:
            adaptix.ProviderNotFoundError: the retort has no dumper for ``tp``.
        """
        return self._active.dump(data, tp)

    def load(self, data: Any, tp: type[T], /) -> T:
        """Load ``data`` into ``tp`` (``retort.load``).

        Raises:
            adaptix.load_error.LoadError: ``data`` is not a valid ``tp`` (the
                kernel sets the stored job aside).
            adaptix.ProviderNotFoundError: the retort has no loader for ``tp``.
        """
        return self._active.load(data, tp)
