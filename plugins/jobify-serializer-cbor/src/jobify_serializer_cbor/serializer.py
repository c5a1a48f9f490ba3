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

from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any, Final

import attrs
import cbor2

from jobify import options
from jobify.exceptions import BaseJobifyError
from jobify.serializers import Serializer, preview

__all__ = ("CBORSerializer", "CBORSerializerDecodeError")

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


def _describe(exc: BaseException) -> str:
    text = str(exc).rstrip(".")
    cause = exc.__cause__ or exc.__context__
    if cause is not None:  # cbor2 6 wraps what a hook or a tag decoder raised
        text = f"{text} ({type(cause).__name__}: {cause})"
    return text


_FLAG: Final = options.flag()
_HOOK: Final = options.optional(options.function())
_ENCODERS: Final = options.optional(options.mapping(keys=type, callable_values=True))
_DECODERS: Final = options.optional(options.mapping(keys=int, callable_values=True))
_TIMEZONE: Final = options.optional(options.time_zone())
_STR_ERRORS: Final = options.one_of(
    ("strict", "replace"), noun="a str_errors handler cbor2 knows", fix="'strict' is the default"
)
_MAX_DEPTH: Final = options.positive_int(fix="a job message is a map, one level deep")


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

    datetime_as_timestamp: bool = attrs.field(default=False, validator=_FLAG)
    timezone: tzinfo | None = attrs.field(
        default=None, converter=options.to_time_zone, validator=_TIMEZONE
    )
    value_sharing: bool = attrs.field(default=False, validator=_FLAG)
    encoders: Mapping[type, cbor2.EncoderHook] | None = attrs.field(
        default=None, validator=_ENCODERS
    )
    default: cbor2.EncoderHook | None = attrs.field(default=None, validator=_HOOK)
    canonical: bool = attrs.field(default=False, validator=_FLAG)
    date_as_datetime: bool = attrs.field(default=False, validator=_FLAG)
    string_referencing: bool = attrs.field(default=False, validator=_FLAG)
    indefinite_containers: bool = attrs.field(default=False, validator=_FLAG)
    tag_hook: cbor2.TagHook | None = attrs.field(default=None, validator=_HOOK)
    object_hook: cbor2.ObjectHook | None = attrs.field(default=None, validator=_HOOK)
    semantic_decoders: Mapping[int, Callable[..., Any]] | None = attrs.field(
        default=None, validator=_DECODERS
    )
    str_errors: str = attrs.field(default="strict", validator=_STR_ERRORS)
    max_depth: int = attrs.field(default=400, validator=_MAX_DEPTH)
    allow_indefinite: bool = attrs.field(default=True, validator=_FLAG)
    immutable: bool = attrs.field(default=False, validator=_FLAG)
    _dumps: Callable[[Any], bytes] = attrs.field(init=False, repr=False)
    _loads: Callable[[bytes], Any] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_dumps", options.bind(cbor2.dumps, self, _ENCODE_OPTIONS))
        object.__setattr__(self, "_loads", options.bind(cbor2.loads, self, _DECODE_OPTIONS))

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
                f"CBORSerializer.loadb(): cannot decode {preview(data)} as CBOR: "
                f"{_describe(exc)}. It was not written by CBORSerializer.dumpb with these "
                "options (another serializer wrote it, or it is corrupt): read it with the "
                "serializer that stored it."
            )
            raise CBORSerializerDecodeError(msg) from exc
