"""``CBORSerializer``: job messages in CBOR (RFC 8949), encoded and decoded by cbor2.

CBOR is a standard binary format that holds what JSON holds plus ``bytes``,
integers of any size, and, through its semantic tags, aware ``datetime``,
``date``, ``Decimal``, ``Fraction``, ``UUID``, sets, IP addresses and map
keys of any hashable type. The options are the reference's (jobify 0.14):
the encoding ones go to ``cbor2.dumps``, the decoding ones to ``cbor2.loads``,
and only the ones that differ from cbor2's defaults are passed.

This needs cbor2 6: it added ``semantic_decoders``, ``allow_indefinite`` and
``immutable``, and changed the callbacks' signatures (``tag_hook(tag,
immutable)``, ``object_hook(mapping, immutable)``; cbor2 5 passed the decoder
first). Options are checked in the constructor, so a bad value fails when the
app is assembled rather than when the first job is stored or restored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import UTC, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import cbor2

from jobify.exceptions import BaseJobifyError
from jobify.serializers import Serializer

__all__ = ("CBORSerializer", "CBORSerializerDecodeError")

_PREVIEW: Final = 40
_ENCODE_OPTIONS: Final = (
    "datetime_as_timestamp",
    "timezone",
    "value_sharing",
    "encoders",
    "default",
    "canonical",
    "date_as_datetime",
    "string_referencing",
    "indefinite_containers",
)
_DECODE_OPTIONS: Final = (
    "tag_hook",
    "object_hook",
    "semantic_decoders",
    "str_errors",
    "max_depth",
    "allow_indefinite",
    "immutable",
)


class CBORSerializerDecodeError(BaseJobifyError, cbor2.CBORDecodeError, ValueError):
    """Bytes given to :meth:`CBORSerializer.loadb` are not CBOR it can read.

    A ``ValueError``, as every serializer's ``loadb`` raises for bytes it
    cannot decode, and a ``cbor2.CBORDecodeError`` (which is not one), as
    jobify 0.14 raises: an ``except`` clause written for either catches it.
    cbor2's own error is its ``__cause__``.
    """


def _preview(data: Any) -> str:
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        shown = repr(raw[:_PREVIEW]) + ("..." if len(raw) > _PREVIEW else "")
        return f"{shown} ({len(raw)} byte{'' if len(raw) == 1 else 's'})"
    return repr(data)[:_PREVIEW]


def _describe(exc: BaseException) -> str:
    text = str(exc).rstrip(".")
    cause = exc.__cause__ or exc.__context__
    if cause is not None:  # cbor2 6 wraps what a hook or a tag decoder raised
        text = f"{text} ({type(cause).__name__}: {cause})"
    return text


def _where(attribute: attrs.Attribute[Any], value: Any) -> str:
    return f"CBORSerializer({attribute.name}={value!r})"


def _flag(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        msg = f"{_where(attribute, value)}: expected True or False"
        raise TypeError(msg)


def _hook(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not callable(value):
        msg = f"{_where(attribute, value)}: expected a callable or None"
        raise TypeError(msg)


def _mapping_of_callables(key_kind: type) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, Mapping):
            msg = f"{_where(attribute, value)}: expected a mapping or None"
            raise TypeError(msg)
        for key, func in value.items():
            if not isinstance(key, key_kind) or isinstance(key, bool) or not callable(func):
                msg = (
                    f"{_where(attribute, value)}: expected {key_kind.__name__} keys and "
                    f"callable values, got {key!r}: {func!r}"
                )
                raise TypeError(msg)

    return check


def _to_timezone(value: tzinfo | str | None) -> tzinfo | None:
    """Accept a ``tzinfo``, or a zone name (``"UTC"``, ``"Europe/Berlin"``) from ``jobify.toml``."""
    if not isinstance(value, str):
        return value
    if value.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        msg = (
            f"CBORSerializer(timezone={value!r}): no time zone of that name; use an IANA "
            "name such as 'UTC' or 'Europe/Berlin' (zoneinfo.available_timezones())"
        )
        raise ValueError(msg) from None


def _timezone(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, tzinfo):
        msg = f"{_where(attribute, value)}: expected a tzinfo, a zone name or None"
        raise TypeError(msg)


def _str_errors(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str):
        msg = f"{_where(attribute, value)}: expected a str such as 'strict' or 'replace'"
        raise TypeError(msg)
    try:  # cbor2 knows which handlers it accepts
        cbor2.loads(b"\xf6", str_errors=value)
    except ValueError as exc:
        msg = f"{_where(attribute, value)}: {exc}; use 'strict' (the default) or 'replace'"
        raise ValueError(msg) from None


def _max_depth(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        msg = f"{_where(attribute, value)}: expected an int"
        raise TypeError(msg)
    if value < 1:
        msg = f"{_where(attribute, value)}: must be 1 or more (a job message is a map)"
        raise ValueError(msg)


@attrs.frozen(kw_only=True, eq=False)
class CBORSerializer(Serializer):
    """Encode job messages as CBOR with cbor2.

    The first nine options go to ``cbor2.dumps``, the others to ``cbor2.loads``.

    Args:
        datetime_as_timestamp: write datetimes as POSIX timestamps (smaller;
            they come back in UTC).
        timezone: the zone of naive datetimes; without it a naive datetime
            cannot be encoded. A ``tzinfo`` or, from ``jobify.toml``, a zone name.
        value_sharing: encode repeated and cyclic containers once.
        encoders: ``{type: encoder_hook}`` overriding how a type is encoded;
            each hook takes ``(encoder, value)``.
        default: ``(encoder, value)`` hook for values cbor2 cannot encode.
        canonical: deterministic output (sorted maps, smallest floats).
        date_as_datetime: write ``date`` values as datetimes at midnight.
        string_referencing: encode repeated strings once.
        indefinite_containers: write containers as indefinite-length.
        tag_hook: ``(tag, immutable)`` hook for unknown semantic tags.
        object_hook: ``(mapping, immutable)`` hook for each decoded map.
        semantic_decoders: ``{tag_number: decoder}`` overriding how a tag is
            decoded; each decoder takes ``(value, immutable)``.
        str_errors: how to decode invalid UTF-8: ``"strict"`` or ``"replace"``.
        max_depth: deepest container nesting accepted when decoding.
        allow_indefinite: accept indefinite-length containers when decoding.
        immutable: decode containers as immutable types (tuples, frozendicts).
    """

    datetime_as_timestamp: bool = attrs.field(default=False, validator=_flag)
    timezone: tzinfo | None = attrs.field(default=None, converter=_to_timezone, validator=_timezone)
    value_sharing: bool = attrs.field(default=False, validator=_flag)
    encoders: Mapping[type, cbor2.EncoderHook] | None = attrs.field(
        default=None, validator=_mapping_of_callables(type)
    )
    default: cbor2.EncoderHook | None = attrs.field(default=None, validator=_hook)
    canonical: bool = attrs.field(default=False, validator=_flag)
    date_as_datetime: bool = attrs.field(default=False, validator=_flag)
    string_referencing: bool = attrs.field(default=False, validator=_flag)
    indefinite_containers: bool = attrs.field(default=False, validator=_flag)
    tag_hook: cbor2.TagHook | None = attrs.field(default=None, validator=_hook)
    object_hook: cbor2.ObjectHook | None = attrs.field(default=None, validator=_hook)
    semantic_decoders: Mapping[int, Callable[..., Any]] | None = attrs.field(
        default=None, validator=_mapping_of_callables(int)
    )
    str_errors: str = attrs.field(default="strict", validator=_str_errors)
    max_depth: int = attrs.field(default=400, validator=_max_depth)
    allow_indefinite: bool = attrs.field(default=True, validator=_flag)
    immutable: bool = attrs.field(default=False, validator=_flag)
    _dumps: Callable[[Any], bytes] = attrs.field(init=False, repr=False)
    _loads: Callable[[bytes], Any] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        defaults = {a.name: a.default for a in attrs.fields(type(self)) if a.init}

        def changed(names: tuple[str, ...]) -> dict[str, Any]:
            return {n: getattr(self, n) for n in names if getattr(self, n) != defaults[n]}

        encode, decode = changed(_ENCODE_OPTIONS), changed(_DECODE_OPTIONS)
        dumps = functools.partial(cbor2.dumps, **encode) if encode else cbor2.dumps
        loads = functools.partial(cbor2.loads, **decode) if decode else cbor2.loads
        object.__setattr__(self, "_dumps", dumps)
        object.__setattr__(self, "_loads", loads)

    def dumpb(self, data: Any) -> bytes:
        """Encode ``data`` as CBOR bytes.

        Raises:
            cbor2.CBOREncodeError: ``data`` holds a value cbor2 cannot encode
                (and no ``encoders``/``default`` hook does), or a naive
                datetime without ``timezone``.
        """
        return self._dumps(data)

    def loadb(self, data: bytes) -> Any:
        """Decode CBOR bytes made by :meth:`dumpb`.

        Raises:
            CBORSerializerDecodeError: ``data`` is not CBOR, is truncated,
                nests deeper than ``max_depth``, or a hook refused it.
        """
        try:
            return self._loads(data)
        except cbor2.CBORDecodeError as exc:
            msg = (
                f"CBORSerializer.loadb(): cannot decode {_preview(data)} as CBOR: "
                f"{_describe(exc)}. It was not written by CBORSerializer.dumpb with these "
                "options (another serializer wrote it, or it is corrupt): read it with the "
                "serializer that stored it."
            )
            raise CBORSerializerDecodeError(msg) from exc
