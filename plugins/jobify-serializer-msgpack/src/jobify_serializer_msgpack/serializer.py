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
import functools
from collections.abc import Callable
from typing import Any, Final

import attrs
import msgpack  # type: ignore[import-untyped]

from jobify.serializers import Serializer

__all__ = ("MsgpackSerializer",)

_PREVIEW: Final = 40
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


def _preview(data: Any) -> str:
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        shown = repr(raw[:_PREVIEW]) + ("..." if len(raw) > _PREVIEW else "")
        return f"{shown} ({len(raw)} byte{'' if len(raw) == 1 else 's'})"
    return repr(data)[:_PREVIEW]


def _where(attribute: attrs.Attribute[Any], value: Any) -> str:
    return f"MsgpackSerializer({attribute.name}={value!r})"


def _flag(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        msg = f"{_where(attribute, value)}: expected True or False"
        raise TypeError(msg)


def _hook(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not callable(value):
        msg = f"{_where(attribute, value)}: expected a callable or None"
        raise TypeError(msg)


def _max_len(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        msg = f"{_where(attribute, value)}: expected an int (-1 lets msgpack choose)"
        raise TypeError(msg)
    if value < -1:
        msg = f"{_where(attribute, value)}: must be -1 (msgpack chooses) or a limit >= 0"
        raise ValueError(msg)


def _timestamp(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value not in _TIMESTAMP_KINDS:
        kinds = ", ".join(f"{k} ({v})" for k, v in _TIMESTAMP_KINDS.items())
        msg = f"{_where(attribute, value)}: expected one of {kinds}"
        raise ValueError(msg)


def _unicode_errors(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        msg = f"{_where(attribute, value)}: expected a codec error handler name or None"
        raise TypeError(msg)
    try:
        codecs.lookup_error(value)
    except LookupError:
        msg = (
            f"{_where(attribute, value)}: no codec error handler of that name; use 'strict' "
            "(the default), 'replace', 'ignore', 'surrogateescape' or 'backslashreplace'"
        )
        raise ValueError(msg) from None


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

    default: Callable[[Any], Any] | None = attrs.field(default=None, validator=_hook)
    use_bin_type: bool = attrs.field(default=True, validator=_flag)
    strict_types: bool = attrs.field(default=False, validator=_flag)
    datetime: bool = attrs.field(default=False, validator=_flag)
    unicode_errors: str | None = attrs.field(default=None, validator=_unicode_errors)
    raw: bool = attrs.field(default=False, validator=_flag)
    timestamp: int = attrs.field(default=0, validator=_timestamp)
    strict_map_key: bool = attrs.field(default=True, validator=_flag)
    use_list: bool = attrs.field(default=True, validator=_flag)
    object_hook: Callable[[dict[Any, Any]], Any] | None = attrs.field(default=None, validator=_hook)
    object_pairs_hook: Callable[[list[tuple[Any, Any]]], Any] | None = attrs.field(
        default=None, validator=_hook
    )
    list_hook: Callable[[list[Any]], Any] | None = attrs.field(default=None, validator=_hook)
    ext_hook: Callable[[int, bytes], Any] | None = attrs.field(default=None, validator=_hook)
    max_str_len: int = attrs.field(default=-1, validator=_max_len)
    max_bin_len: int = attrs.field(default=-1, validator=_max_len)
    max_array_len: int = attrs.field(default=-1, validator=_max_len)
    max_map_len: int = attrs.field(default=-1, validator=_max_len)
    max_ext_len: int = attrs.field(default=-1, validator=_max_len)
    _packb: Callable[[Any], bytes] = attrs.field(init=False, repr=False)
    _unpackb: Callable[[bytes], Any] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.object_hook is not None and self.object_pairs_hook is not None:
            msg = (
                f"MsgpackSerializer(object_hook={self.object_hook!r}, object_pairs_hook="
                f"{self.object_pairs_hook!r}): msgpack takes one of them, not both"
            )
            raise TypeError(msg)
        defaults = {a.name: a.default for a in attrs.fields(type(self)) if a.init}

        def changed(names: tuple[str, ...]) -> dict[str, Any]:
            return {n: getattr(self, n) for n in names if getattr(self, n) != defaults[n]}

        pack, unpack = changed(_PACK_OPTIONS), changed(_UNPACK_OPTIONS)
        packb = functools.partial(msgpack.packb, **pack) if pack else msgpack.packb
        unpackb = functools.partial(msgpack.unpackb, **unpack) if unpack else msgpack.unpackb
        object.__setattr__(self, "_packb", packb)
        object.__setattr__(self, "_unpackb", unpackb)

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
                f"MsgpackSerializer.loadb(): cannot decode {_preview(data)} as MessagePack. It "
                "was not written by MsgpackSerializer.dumpb with these options (another "
                "serializer wrote it, or it is corrupt): read it with the serializer that "
                "stored it."
            )
            raise
