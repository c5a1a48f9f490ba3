"""``MsgpackSerializer``: job messages as MessagePack, a compact binary JSON.

MessagePack holds what JSON holds plus ``bytes`` (and, with ``datetime=True``,
aware datetimes as its Timestamp type), in fewer bytes than JSON text. The
options are the reference's (jobify 0.14) and go to ``msgpack.packb`` or
``msgpack.unpackb``; only the ones that differ from msgpack's defaults are
passed, so the default configuration calls msgpack with no keyword at all.
Options are checked in the constructor, so a bad value fails when the app is
assembled rather than when the first job is stored or restored.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any, Final

import attrs
import msgpack  # type: ignore[import-untyped]

from jobify import options
from jobify.serializers import Serializer, preview

__all__ = ("MsgpackSerializer",)

_PACK_OPTIONS: Final = ("default", "use_bin_type", "strict_types", "datetime", "unicode_errors")
_UNPACK_OPTIONS: Final = (
    "raw",
    "timestamp",
    "strict_map_key",
    "use_list",
    "object_hook",
    "object_pairs_hook",
    "list_hook",
    "ext_hook",
    "unicode_errors",
    "max_str_len",
    "max_bin_len",
    "max_array_len",
    "max_map_len",
    "max_ext_len",
)
_TIMESTAMP_KINDS: Final = {0: "msgpack.Timestamp", 1: "float", 2: "int (ns)", 3: "datetime (UTC)"}


_FLAG: Final = options.flag()
_HOOK: Final = options.optional(options.function())
_MAX_LEN: Final = options.integer(minimum=-1, fix="-1 lets msgpack choose from the input size")
_TIMESTAMP: Final = options.one_of(_TIMESTAMP_KINDS)


_HANDLER_NAME: Final = options.optional(options.text())


def _unicode_errors(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _HANDLER_NAME(inst, attribute, value)
    if value is None:
        return
    try:
        codecs.lookup_error(value)
    except LookupError:
        problem = (
            "no codec error handler of that name; use 'strict' (the default), 'replace', "
            "'ignore', 'surrogateescape' or 'backslashreplace'"
        )
        raise options.fail(type(inst).__name__, attribute.name, value, problem) from None


@attrs.frozen(kw_only=True, eq=False)
class MsgpackSerializer(Serializer):
    """Encode job messages as MessagePack with msgpack.

    The first five options go to ``msgpack.packb``, the others to
    ``msgpack.unpackb`` (``unicode_errors`` to both).

    Args:
        default: called with each object msgpack cannot encode; returns
            something it can.
        use_bin_type: write ``bytes`` as the bin type (so they come back as
            ``bytes``), ``str`` as the str type.
        strict_types: encode only exact types (a tuple or a ``dict`` subclass
            goes to ``default``).
        datetime: write aware ``datetime`` values as the Timestamp type; read
            them back as ``datetime`` with ``timestamp=3``.
        unicode_errors: codec error handler for ``str`` (both directions).
        raw: decode str as ``bytes`` (jobify cannot read its own messages
            then; for foreign data only).
        timestamp: decode Timestamp as 0 ``msgpack.Timestamp``, 1 ``float``,
            2 ``int`` nanoseconds or 3 ``datetime`` in UTC.
        strict_map_key: accept only ``str`` and ``bytes`` map keys.
        use_list: decode arrays as ``list`` (else ``tuple``).
        object_hook: called with each decoded ``dict``.
        object_pairs_hook: called with each map's ``(key, value)`` pairs;
            not together with ``object_hook``.
        list_hook: called with each decoded ``list``.
        ext_hook: called with ``(code, data)`` of each extension type.
        max_str_len: decoding limit, -1 lets msgpack choose from the input size.
        max_bin_len: decoding limit, as above.
        max_array_len: decoding limit, as above.
        max_map_len: decoding limit, as above.
        max_ext_len: decoding limit, as above.
    """

    default: Callable[[Any], Any] | None = attrs.field(default=None, validator=_HOOK)
    use_bin_type: bool = attrs.field(default=True, validator=_FLAG)
    strict_types: bool = attrs.field(default=False, validator=_FLAG)
    datetime: bool = attrs.field(default=False, validator=_FLAG)
    unicode_errors: str | None = attrs.field(default=None, validator=_unicode_errors)
    raw: bool = attrs.field(default=False, validator=_FLAG)
    timestamp: int = attrs.field(default=0, validator=_TIMESTAMP)
    strict_map_key: bool = attrs.field(default=True, validator=_FLAG)
    use_list: bool = attrs.field(default=True, validator=_FLAG)
    object_hook: Callable[[dict[Any, Any]], Any] | None = attrs.field(default=None, validator=_HOOK)
    object_pairs_hook: Callable[[list[tuple[Any, Any]]], Any] | None = attrs.field(
        default=None, validator=_HOOK
    )
    list_hook: Callable[[list[Any]], Any] | None = attrs.field(default=None, validator=_HOOK)
    ext_hook: Callable[[int, bytes], Any] | None = attrs.field(default=None, validator=_HOOK)
    max_str_len: int = attrs.field(default=-1, validator=_MAX_LEN)
    max_bin_len: int = attrs.field(default=-1, validator=_MAX_LEN)
    max_array_len: int = attrs.field(default=-1, validator=_MAX_LEN)
    max_map_len: int = attrs.field(default=-1, validator=_MAX_LEN)
    max_ext_len: int = attrs.field(default=-1, validator=_MAX_LEN)
    _packb: Callable[[Any], bytes] = attrs.field(init=False, repr=False)
    _unpackb: Callable[[bytes], Any] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.object_hook is not None and self.object_pairs_hook is not None:
            msg = (
                f"MsgpackSerializer(object_hook={self.object_hook!r}, object_pairs_hook="
                f"{self.object_pairs_hook!r}): msgpack takes one of them, not both"
            )
            raise TypeError(msg)
        object.__setattr__(self, "_packb", options.bind(msgpack.packb, self, _PACK_OPTIONS))
        object.__setattr__(self, "_unpackb", options.bind(msgpack.unpackb, self, _UNPACK_OPTIONS))

    def dumpb(self, data: Any) -> bytes:
        """Encode ``data`` as MessagePack bytes.

        Raises:
            TypeError: ``data`` holds a value msgpack cannot encode and
                ``default`` does not convert.
            ValueError: a naive ``datetime`` with ``datetime=True``.
            OverflowError: an ``int`` outside the 64-bit range.
        """
        return self._packb(data)

    def loadb(self, data: bytes) -> Any:
        """Decode MessagePack bytes made by :meth:`dumpb`.

        msgpack's own errors come through, as in jobify 0.14, each with a note
        that says what to do.

        Raises:
            ValueError: ``data`` is not MessagePack (``msgpack.FormatError``,
                ``ExtraData`` for trailing bytes), breaks a ``max_*_len``
                limit, or has a non-str map key with ``strict_map_key``.
            TypeError: a hook refused it, or a map key is unhashable.
            OverflowError: a Timestamp out of ``datetime``'s range
                (``timestamp=3``).
        """
        try:
            return self._unpackb(data)
        except (ValueError, TypeError, OverflowError) as exc:
            exc.add_note(
                f"MsgpackSerializer.loadb(): cannot decode {preview(data)} as MessagePack. It "
                "was not written by MsgpackSerializer.dumpb with these options (another "
                "serializer wrote it, or it is corrupt): read it with the serializer that "
                "stored it."
            )
            raise
