"""``OrjsonSerializer``: job messages as JSON bytes, encoded and decoded by orjson.

orjson writes UTF-8 bytes directly (no ``str`` round trip) and is several times
faster than the stdlib ``json`` module; it also encodes ``datetime``, ``date``,
``time``, ``UUID``, dataclasses and enums natively (they come back as the
JSON strings, numbers and objects they were written as). The constructor
checks its options, so a bad ``option`` fails when the app is assembled
rather than when the first durable job is stored.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from typing import Any, Final

import attrs
import orjson

from jobify import options
from jobify.serializers import Serializer, preview

__all__ = ("OrjsonSerializer",)

_OPTIONS: Final[dict[str, int]] = {
    name.removeprefix("OPT_"): getattr(orjson, name)
    for name in dir(orjson)
    if name.startswith("OPT_")
}
_ALL_FLAGS: Final = functools.reduce(operator.or_, _OPTIONS.values(), 0)


_OWNER: Final = "OrjsonSerializer"
_FLAGS: Final = options.optional(
    options.integer(fix="orjson.OPT_* flags combined with |, or a list of their names")
)
_DEFAULT: Final = options.optional(options.function(fix="value -> something orjson encodes"))


def _to_option(value: int | str | Iterable[str] | None) -> int | None:
    """Accept orjson's int flags, or flag names (``"NAIVE_UTC"``, ``"OPT_SORT_KEYS"``).

    Names exist so that ``jobify.toml`` can spell options, which cannot
    hold ``orjson.OPT_*`` constants.
    """
    if value is None or isinstance(value, int):
        return value
    names = list(value) if isinstance(value, Iterable) and not isinstance(value, str) else [value]
    if not all(isinstance(n, str) for n in names):
        problem = "expected an int or orjson flag names"
        raise options.fail(_OWNER, "option", value, problem, kind=options.OptionTypeError)
    flags = 0
    for name in names:
        key = name.upper().removeprefix("OPT_")
        if key not in _OPTIONS:
            problem = (
                f"{name!r} is not an orjson option. Valid names: {', '.join(sorted(_OPTIONS))}."
                + options.did_you_mean(key, _OPTIONS)
            )
            raise options.fail(_OWNER, "option", value, problem)
        flags |= _OPTIONS[key]
    return flags


def _check_option(inst: OrjsonSerializer, attribute: attrs.Attribute[Any], value: Any) -> None:
    _FLAGS(inst, attribute, value)
    if value is not None and value & ~_ALL_FLAGS:
        problem = (
            f"has bits that are not orjson.OPT_* flags ({value & ~_ALL_FLAGS:#x}); "
            "combine orjson.OPT_* flags with |"
        )
        raise options.fail(_OWNER, attribute.name, value, problem)


@attrs.frozen(kw_only=True, eq=False)
class OrjsonSerializer(Serializer):
    """Encode job messages as JSON with orjson.

    Args:
        default: called with each object orjson cannot encode; returns
            something it can (or raises ``TypeError``).
        option: ``orjson.OPT_*`` flags combined with ``|``; in ``jobify.toml``
            a list of their names, e.g. ``["NAIVE_UTC", "SORT_KEYS"]``.
    """

    default: Callable[[Any], Any] | None = attrs.field(default=None, validator=_DEFAULT)
    option: int | None = attrs.field(default=None, converter=_to_option, validator=_check_option)
    _dumps: Callable[[Any], bytes] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        kwargs: dict[str, Any] = {}
        if self.default is not None:
            kwargs["default"] = self.default
        if self.option:
            kwargs["option"] = self.option
        dumps = functools.partial(orjson.dumps, **kwargs) if kwargs else orjson.dumps
        object.__setattr__(self, "_dumps", dumps)

    def dumpb(self, data: Any) -> bytes:
        """Encode ``data`` as UTF-8 JSON bytes.

        Raises:
            TypeError: ``data`` holds a value orjson cannot encode and
                ``default`` does not convert (``orjson.JSONEncodeError``).
        """
        return self._dumps(data)

    def loadb(self, data: bytes) -> Any:
        """Decode JSON bytes made by :meth:`dumpb`.

        Raises:
            orjson.JSONDecodeError: ``data`` is not valid UTF-8 JSON (a
                ``ValueError``, as jobify 0.14 lets it through), with a note
                that says what to do.
        """
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            exc.add_note(
                f"OrjsonSerializer.loadb(): cannot decode {preview(data)} as JSON. It was not "
                "written by OrjsonSerializer.dumpb (another serializer wrote it, or it is "
                "corrupt): read it with the serializer that stored it."
            )
            raise
