"""``PydanticConverter``: task arguments to JSON-compatible data and back, by pydantic.

The kernel calls ``dump(value, annotation)`` for each argument of a durable
job before the serializer runs, and ``load(data, annotation)`` when the job is
restored. Both go through one ``pydantic.TypeAdapter`` per annotation, built
on first use and cached, so any type pydantic understands works: models,
dataclasses, ``TypedDict``, ``datetime``, ``UUID``, ``Decimal``, enums,
unions and containers of them.

Dumping uses ``mode="json"`` with ``round_trip=True``, so what is stored
validates back: ``Json[...]`` fields stay JSON strings and computed fields
are left out (a model with ``extra="forbid"`` would refuse them). Loading
accepts field names as well as aliases, so ``by_alias=False`` (the default)
round-trips models whose fields have aliases.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

import attrs
from pydantic import ConfigDict, PydanticUserError, TypeAdapter

from jobify import options
from jobify.typeadapter import Dumper, Loader

__all__ = ("PydanticConverter",)

T = TypeVar("T")

_CONFIG_KEYS: Final = frozenset(ConfigDict.__optional_keys__ | ConfigDict.__required_keys__)
_CONFIG_UNUSED: Final = "type-adapter-config-unused"
_CONFIG_DOCS: Final = "https://docs.pydantic.dev/latest/api/config/"


_FLAG: Final = options.flag()
_OPTIONAL_FLAG: Final = options.optional(options.flag(fix="None leaves it to each type's config"))
_CONFIG: Final = options.optional(options.mapping(noun="a pydantic.ConfigDict (a dict)"))
_CONTEXT: Final = options.optional(options.mapping(noun="a dict"))


def _check_config(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _CONFIG(inst, attribute, value)
    for key in value or ():
        if key not in _CONFIG_KEYS:
            hint = options.did_you_mean(key, _CONFIG_KEYS)
            problem = f"{key!r} is not a pydantic.ConfigDict key; see {_CONFIG_DOCS}.{hint}"
            raise options.fail(type(inst).__name__, attribute.name, value, problem)


@attrs.frozen(kw_only=True, eq=False)
class PydanticConverter(Dumper, Loader):
    """Dump and load typed task arguments with pydantic ``TypeAdapter``s.

    Args:
        config: a ``pydantic.ConfigDict`` for the types that have no config of
            their own (models, dataclasses and ``TypedDict``s keep theirs).
        strict: validate strictly when loading (no ``"1"`` -> ``1``); None
            leaves it to each type's config.
        from_attributes: when loading, read model fields from attributes of
            arbitrary objects; None leaves it to each type's config.
        by_alias: dump fields under their aliases (loading accepts both).
        exclude_none: leave out fields whose value is None when dumping.
        context: passed to validators and serializers as ``info.context``.
    """

    config: ConfigDict | None = attrs.field(default=None, validator=_check_config)
    strict: bool | None = attrs.field(default=None, validator=_OPTIONAL_FLAG)
    from_attributes: bool | None = attrs.field(default=None, validator=_OPTIONAL_FLAG)
    by_alias: bool = attrs.field(default=False, validator=_FLAG)
    exclude_none: bool = attrs.field(default=False, validator=_FLAG)
    context: dict[str, Any] | None = attrs.field(default=None, validator=_CONTEXT)
    _adapters: dict[Any, TypeAdapter[Any]] = attrs.field(init=False, factory=dict, repr=False)

    def adapter(self, tp: type[T]) -> TypeAdapter[T]:
        """Return the (cached) ``TypeAdapter`` for ``tp``.

        Raises:
            pydantic.PydanticSchemaGenerationError: pydantic cannot handle ``tp``.
        """
        try:
            return self._adapters[tp]
        except KeyError:
            adapter = self._build(tp)
            self._adapters[tp] = adapter
            return adapter
        except TypeError:  # an unhashable annotation: build it every time
            return self._build(tp)

    def _build(self, tp: type[T]) -> TypeAdapter[T]:
        if self.config is None:
            return TypeAdapter(tp)
        try:
            return TypeAdapter(tp, config=self.config)
        except PydanticUserError as exc:
            if exc.code != _CONFIG_UNUSED:
                raise
            # models, dataclasses and TypedDicts carry their own config
            return TypeAdapter(tp)

    def dump(self, data: Any, tp: Any, /) -> Any:
        """Return ``data``, annotated as ``tp``, as JSON-compatible data.

        Raises:
            pydantic.PydanticSerializationError: ``data`` cannot be serialized
                as ``tp`` (a ``ValueError``).
        """
        return self.adapter(tp).dump_python(
            data,
            mode="json",
            by_alias=self.by_alias,
            exclude_none=self.exclude_none,
            round_trip=True,
            context=self.context,
        )

    def load(self, data: Any, tp: type[T], /) -> T:
        """Validate ``data`` into ``tp``.

        Raises:
            pydantic.ValidationError: ``data`` is not a valid ``tp`` (a
                ``ValueError``: the kernel sets the stored job aside).
        """
        return self.adapter(tp).validate_python(
            data,
            strict=self.strict,
            from_attributes=self.from_attributes,
            context=self.context,
            by_name=True,
        )
