"""``ExtendedJSONSerializer``: JSON that round-trips the Python values tasks commonly take.

A value JSON has no form for becomes a one-key object whose key names its
kind, the format of jobify 0.14's ``ExtendedJSONSerializer`` (so each can read
what the other wrote, except for the additions listed in the README)::

    {"__datetime__": "2030-01-01T12:00:00+02:00"}   {"__set__": [1, 2]}
    {"__decimal__": "1.10"}                          {"__tuple__": [1, "a"]}
    {"__enum__": {"type": "Color", "value": "red"}}
    {"__dataclass__": {"type": "Point", "fields": {"x": 1, "y": 2}}}

Classes (dataclasses, NamedTuples, enums) are rebuilt only if they were
registered, and are looked up by ``__name__`` in that registry: the data can
never make the app import or call anything else, unlike pickle. A class that
is not registered fails when it is *stored* (``dumpb``), not after a restart
when it could no longer be read.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import datetime as dt
import decimal
import enum
import fractions
import ipaddress
import json
import pathlib
import re
import typing
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from jobify import options
from jobify.serializers import Serializer
from jobify_serializer_json.errors import explain, json_text, preview

__all__ = ("ExtendedJSONSerializer",)

_ERRORS: Final = "surrogatepass"
_OWNER: Final = "ExtendedJSONSerializer"
_EXAMPLE: Final = "myapp.models:Point"
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_PLAIN: Final = frozenset({str, int, float, bool, type(None)})
_UNTAGGED: Final = json.JSONDecoder()  # for text that cannot hold a tag (loadb)
_DICT: Final = "__dict__"  # a dict whose keys are not all str, as [[key, value], ...]
_TAGS: Final = frozenset(
    {
        "__datetime__", "__date__", "__time__", "__timedelta__", "__decimal__", "__uuid__",
        "__set__", "__frozenset__", "__tuple__", "__bytes__", "__bytearray__",
        "__enum__", "__dataclass__", "__namedtuple__", _DICT,
        "__fraction__", "__complex__", "__path__", "__pureposixpath__", "__purewindowspath__",
        "__ipaddress__", "__ipnetwork__", "__ipinterface__", "__zoneinfo__", "__deque__",
        "__boundeddeque__", "__pattern__",
    }
)  # fmt: skip


class _TagError(Exception):
    """A tagged value inside the JSON cannot be rebuilt.

    ``loadb`` raises ``error`` in its place (the exception that rebuilding
    raised, or ``KeyError(name)`` for a class that is not registered, as in
    jobify 0.14), with a note made of ``detail`` and ``fix``.
    """

    def __init__(self, detail: str, fix: str, error: Exception) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fix = fix
        self.error = error


def _qualname(tp: type) -> str:
    return f"{tp.__module__}.{tp.__qualname__}"


def _is_namedtuple(tp: type) -> bool:
    return issubclass(tp, tuple) and isinstance(getattr(tp, "_fields", None), tuple)


def _kind(tp: Any) -> str | None:
    """``"enum"``, ``"dataclass"`` or ``"namedtuple"`` for a class that can be registered."""
    if not isinstance(tp, type):
        return None
    if issubclass(tp, enum.Enum):
        return "enum"
    if _is_namedtuple(tp):
        return "namedtuple"
    if dataclasses.is_dataclass(tp):
        return "dataclass"
    return None


# --- plain values ----------------------------------------------------------------


def _datetime_out(value: dt.datetime) -> str:
    text = value.isoformat()
    tz = value.tzinfo
    if isinstance(tz, zoneinfo.ZoneInfo) and tz.key:
        return f"{text}[{tz.key}]"  # RFC 9557: the offset, then the zone it came from
    return text


def _datetime_in(value: str) -> dt.datetime:
    text, bracket, zone = value.partition("[")
    when = dt.datetime.fromisoformat(text)
    if not bracket:
        return when
    try:
        return when.astimezone(zoneinfo.ZoneInfo(zone.removesuffix("]")))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OverflowError):
        return when  # zone unknown here: keep the instant with its fixed offset


def _timedelta_out(value: dt.timedelta) -> float | list[int]:
    seconds = value.total_seconds()
    if dt.timedelta(seconds=seconds) == value:
        return seconds  # the reference's form
    return [value.days, value.seconds, value.microseconds]  # beyond float precision


def _timedelta_in(value: Any) -> dt.timedelta:
    if isinstance(value, list):
        days, seconds, microseconds = value
        return dt.timedelta(days=days, seconds=seconds, microseconds=microseconds)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.timedelta(seconds=value)
    msg = f"expected seconds or [days, seconds, microseconds], got {value!r}"
    raise TypeError(msg)


def _b64(value: bytes | bytearray) -> str:
    return base64.b64encode(value).decode("ascii")


def _unb64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _zoneinfo_out(value: zoneinfo.ZoneInfo) -> str:
    if not value.key:
        msg = (
            f"ExtendedJSONSerializer.dumpb(): cannot store {value!r}: a ZoneInfo made from a "
            "file has no key to store; use ZoneInfo('Area/City')"
        )
        raise TypeError(msg)
    return value.key


def _complex_in(value: Any) -> complex:
    real, imag = _items(value)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (real, imag)):
        msg = f"expected [real, imag] numbers, got {value!r}"
        raise TypeError(msg)
    return complex(real, imag)


def _pattern_in(value: Any) -> re.Pattern[Any]:
    if not isinstance(value, dict) or set(value) != {"pattern", "flags"}:
        msg = f"expected {{'pattern': ..., 'flags': int}}, got {value!r}"
        raise TypeError(msg)
    pattern, flags = value["pattern"], value["flags"]
    if not isinstance(pattern, str | bytes) or type(flags) is not int:
        msg = f"expected a str or bytes pattern and int flags, got {value!r}"
        raise TypeError(msg)
    return re.compile(pattern, flags)


def _bounded_deque_in(value: Any) -> collections.deque[Any]:
    if not isinstance(value, dict) or set(value) != {"items", "maxlen"}:
        msg = f"expected {{'items': [...], 'maxlen': int}}, got {value!r}"
        raise TypeError(msg)
    maxlen = value["maxlen"]
    if type(maxlen) is not int:
        msg = f"expected an int maxlen, got {maxlen!r}"
        raise TypeError(msg)
    return collections.deque(_items(value["items"]), maxlen)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        msg = f"expected a string, got {value!r}"
        raise TypeError(msg)
    return value


def _items(value: Any) -> list[Any]:
    if not isinstance(value, list):
        msg = f"expected a list, got {value!r}"
        raise TypeError(msg)
    return value


_DECODERS: Final[dict[str, Callable[[Any], Any]]] = {
    "__datetime__": lambda v: _datetime_in(_text(v)),
    "__date__": lambda v: dt.date.fromisoformat(_text(v)),
    "__time__": lambda v: dt.time.fromisoformat(_text(v)),
    "__timedelta__": _timedelta_in,
    "__decimal__": lambda v: decimal.Decimal(_text(v)),
    "__uuid__": lambda v: uuid.UUID(_text(v)),
    "__set__": lambda v: set(_items(v)),
    "__frozenset__": lambda v: frozenset(_items(v)),
    "__tuple__": lambda v: tuple(_items(v)),
    "__bytes__": lambda v: _unb64(_text(v)),
    "__bytearray__": lambda v: bytearray(_unb64(_text(v))),
    _DICT: lambda v: dict(_items(v)),
    "__fraction__": lambda v: fractions.Fraction(_text(v)),
    "__complex__": _complex_in,
    "__path__": lambda v: pathlib.Path(_text(v)),
    "__pureposixpath__": lambda v: pathlib.PurePosixPath(_text(v)),
    "__purewindowspath__": lambda v: pathlib.PureWindowsPath(_text(v)),
    "__ipaddress__": lambda v: ipaddress.ip_address(_text(v)),
    "__ipnetwork__": lambda v: ipaddress.ip_network(_text(v)),
    "__ipinterface__": lambda v: ipaddress.ip_interface(_text(v)),
    "__zoneinfo__": lambda v: zoneinfo.ZoneInfo(_text(v)),
    "__deque__": lambda v: collections.deque(_items(v)),
    "__boundeddeque__": _bounded_deque_in,
    "__pattern__": _pattern_in,
}


class ExtendedJSONSerializer(Serializer):
    """Encode job messages as JSON that round-trips common Python types.

    Besides JSON values it round-trips ``datetime`` (with its offset, and its
    ``ZoneInfo`` zone), ``date``, ``time``, ``timedelta``, ``Decimal``,
    ``Fraction``, ``complex``, ``UUID``, ``set``, ``frozenset``, ``tuple``,
    ``deque``, ``bytes``, ``bytearray``, ``pathlib`` paths, ``ipaddress``
    addresses, networks and interfaces, ``ZoneInfo``, compiled ``re``
    patterns, dicts with any hashable keys, and members and instances of the
    registered enums, dataclasses and NamedTuples, nested in any way.

    Args:
        registry: classes (dataclasses, NamedTuples, enums) that may be
            rebuilt, or ``"module:attr"`` strings naming them (so that
            ``jobify.toml`` can list them). More can be added with
            :meth:`add_system_types` and :meth:`register_hints`.

    Raises:
        TypeError: an entry is not a dataclass, NamedTuple or enum.
        ValueError: two different classes share a ``__name__``.
    """

    __slots__ = ("_decoder", "registry")

    def __init__(self, registry: Sequence[Callable[..., Any]] = ()) -> None:
        self.registry: dict[str, type] = {}
        """The registered classes by ``__name__``, the key the stored form uses."""
        self._decoder = json.JSONDecoder(object_hook=self._object_hook)
        self._add(registry, "ExtendedJSONSerializer(registry=...)", (_OWNER, "registry"))

    def __repr__(self) -> str:
        return f"ExtendedJSONSerializer(registry=[{', '.join(self.registry)}])"

    # --- registration -------------------------------------------------------------

    def add_system_types(self, tp: Sequence[Callable[..., Any]], /) -> None:
        """Register more classes that may be rebuilt, as the ``registry`` argument does.

        Raises:
            TypeError: an entry is not a dataclass, NamedTuple or enum, or
                ``tp`` is a single class instead of a sequence.
            ValueError: a different class with the same ``__name__`` is
                registered already.
        """
        self._add(tp, "ExtendedJSONSerializer.add_system_types()", (_OWNER, "tp"))

    def register_hints(self, types: Iterable[Any]) -> None:
        """Register every dataclass, NamedTuple and enum that type hints mention.

        Hints are searched through generics (``list[Point]``,
        ``dict[str, Color] | None``, ``Annotated[...]``, ``Literal`` of enum
        members) and through the field hints of the dataclasses and
        NamedTuples found, so passing a task's annotations registers
        everything its arguments can hold. Other hints are ignored.

        Raises:
            ValueError: a different class with the same ``__name__`` is
                registered already.
        """
        seen: set[int] = set()
        for hint in types:
            self._walk(hint, seen)

    def _add(self, types: Any, where: str, option: tuple[str, str]) -> None:
        """Register ``types``; ``where`` starts a message, ``option`` is (owner, name) of a load."""
        if isinstance(types, type | str):
            name = getattr(types, "__name__", types)
            msg = f"{where}: expected a sequence of classes, got {types!r}; pass [{name}]"
            raise TypeError(msg)
        for entry in types:
            tp = options.load(*option, entry, example=_EXAMPLE) if isinstance(entry, str) else entry
            if _kind(tp) is None:
                msg = (
                    f"{where}: {tp!r} is not a dataclass, NamedTuple or Enum, the only "
                    "classes it rebuilds; other values must be converted to supported "
                    "types (or use a type adapter)"
                )
                raise TypeError(msg)
            self._register(tp, where)

    def _register(self, tp: type, where: str) -> None:
        name = tp.__name__
        current = self.registry.get(name)
        if current is not None and current is not tp:
            msg = (
                f"{where}: two classes are named {name!r}: {_qualname(current)} and "
                f"{_qualname(tp)}. The stored form names a class by __name__ only; "
                "rename one of them"
            )
            raise ValueError(msg)
        self.registry[name] = tp

    def _walk(self, hint: Any, seen: set[int]) -> None:
        if id(hint) in seen:
            return
        seen.add(id(hint))
        origin = typing.get_origin(hint)
        if origin is not None:
            args = typing.get_args(hint)
            if origin is typing.Literal:
                for arg in args:
                    if isinstance(arg, enum.Enum):
                        self._walk(type(arg), seen)
                return
            if origin is typing.Annotated:
                args = args[:1]
            else:
                self._walk(origin, seen)
            for arg in args:
                for inner in arg if isinstance(arg, list | tuple) else (arg,):  # Callable[[a], b]
                    self._walk(inner, seen)
            return
        kind = _kind(hint)
        if kind is None:
            return
        self._register(hint, "ExtendedJSONSerializer.register_hints()")
        if kind == "enum":
            return
        try:
            fields = typing.get_type_hints(hint, include_extras=True)
        except Exception:  # unresolvable forward references: use what is there
            fields = dict(getattr(hint, "__annotations__", {}))
        for field_hint in fields.values():
            if not isinstance(field_hint, str):
                self._walk(field_hint, seen)

    def _registered(self, tp: type, kind: str) -> str:
        name = tp.__name__
        current = self.registry.get(name)
        if current is tp:
            return name
        if current is None:
            msg = (
                f"ExtendedJSONSerializer.dumpb(): {_qualname(tp)} ({kind}) is not registered, "
                "so it could not be read back; register it: "
                f"ExtendedJSONSerializer(registry=[{name}]) or serializer.register_hints([{name}])"
            )
        else:
            msg = (
                f"ExtendedJSONSerializer.dumpb(): {_qualname(tp)} is not the registered "
                f"{name!r} ({_qualname(current)}); the stored form names a class by "
                "__name__ only, so rename one of them"
            )
        raise TypeError(msg)

    # --- encoding -------------------------------------------------------------------

    def dumpb(self, data: Any) -> bytes:
        """Encode ``data`` as UTF-8 JSON bytes.

        Raises:
            TypeError: ``data`` holds a value of an unsupported type, or an
                instance of a class that is not registered.
            ValueError: ``data`` contains itself.
        """
        try:
            tree = self._encode(data)
        except RecursionError as exc:
            msg = (
                "ExtendedJSONSerializer.dumpb(): the value contains itself or is nested too "
                "deeply to be stored"
            )
            raise ValueError(msg) from exc
        return _ENCODER.encode(tree).encode("utf-8", _ERRORS)

    def _encode(self, obj: Any) -> Any:  # one dispatch on the type
        tp = type(obj)
        if tp in _PLAIN:
            return obj
        if tp is list:
            return [self._encode(v) for v in obj]
        if tp is dict:
            return self._encode_dict(obj)
        if tp is dt.datetime:
            return {"__datetime__": _datetime_out(obj)}
        if tp is tuple:
            return {"__tuple__": [self._encode(v) for v in obj]}
        if isinstance(obj, enum.Enum):
            name = self._registered(tp, "an Enum")
            return {"__enum__": {"type": name, "value": self._encode(obj.value)}}
        if isinstance(obj, tuple) and _is_namedtuple(tp):
            name = self._registered(tp, "a NamedTuple")
            fields = dict(zip(obj._fields, obj, strict=True))  # type: ignore[attr-defined]
            return {"__namedtuple__": {"type": name, "fields": self._encode_dict(fields)}}
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            name = self._registered(tp, "a dataclass")
            fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
            return {"__dataclass__": {"type": name, "fields": self._encode_dict(fields)}}
        # the rest, subclasses included (which come back as the base type)
        if isinstance(obj, dt.datetime):
            return {"__datetime__": _datetime_out(obj)}
        if isinstance(obj, dt.date):
            return {"__date__": obj.isoformat()}
        if isinstance(obj, dt.time):
            return {"__time__": obj.isoformat()}
        if isinstance(obj, dt.timedelta):
            return {"__timedelta__": _timedelta_out(obj)}
        if isinstance(obj, decimal.Decimal):
            return {"__decimal__": str(obj)}
        if isinstance(obj, uuid.UUID):
            return {"__uuid__": str(obj)}
        if isinstance(obj, bytes):
            return {"__bytes__": _b64(obj)}
        if isinstance(obj, bytearray):
            return {"__bytearray__": _b64(obj)}
        if isinstance(obj, fractions.Fraction):
            return {"__fraction__": str(obj)}
        if isinstance(obj, complex):
            return {"__complex__": [obj.real, obj.imag]}
        if isinstance(obj, pathlib.Path):
            return {"__path__": str(obj)}
        if isinstance(obj, pathlib.PureWindowsPath):
            return {"__purewindowspath__": str(obj)}
        if isinstance(obj, pathlib.PurePosixPath):
            return {"__pureposixpath__": str(obj)}
        if isinstance(obj, ipaddress.IPv4Interface | ipaddress.IPv6Interface):
            return {"__ipinterface__": str(obj)}  # before addresses: a subclass of them
        if isinstance(obj, ipaddress.IPv4Address | ipaddress.IPv6Address):
            return {"__ipaddress__": str(obj)}
        if isinstance(obj, ipaddress.IPv4Network | ipaddress.IPv6Network):
            return {"__ipnetwork__": str(obj)}
        if isinstance(obj, zoneinfo.ZoneInfo):
            return {"__zoneinfo__": _zoneinfo_out(obj)}
        if isinstance(obj, re.Pattern):
            return {"__pattern__": {"pattern": self._encode(obj.pattern), "flags": obj.flags}}
        if isinstance(obj, collections.deque):
            items = [self._encode(v) for v in obj]
            if obj.maxlen is None:
                return {"__deque__": items}
            return {"__boundeddeque__": {"items": items, "maxlen": obj.maxlen}}
        if isinstance(obj, str):
            return str(obj)
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj)
        if isinstance(obj, dict):
            return self._encode_dict(obj)
        if isinstance(obj, list):
            return [self._encode(v) for v in obj]
        if isinstance(obj, tuple):
            return {"__tuple__": [self._encode(v) for v in obj]}
        if isinstance(obj, frozenset):
            return {"__frozenset__": [self._encode(v) for v in obj]}
        if isinstance(obj, set):
            return {"__set__": [self._encode(v) for v in obj]}
        msg = (
            f"ExtendedJSONSerializer.dumpb(): cannot store {preview(obj)} of type "
            f"{_qualname(tp)}; convert it to a supported type (see the README of "
            "jobify-serializer-json) or use a type adapter"
        )
        raise TypeError(msg)

    def _encode_dict(self, obj: dict[Any, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if type(key) is not str:
                return self._encode_pairs(obj)
            out[key] = self._encode(value)
        if len(out) == 1 and next(iter(out)) in _TAGS:
            return self._encode_pairs(obj)  # {"__set__": ...} as data, not as a tag
        return out

    def _encode_pairs(self, obj: dict[Any, Any]) -> dict[str, Any]:
        return {_DICT: [[self._encode(k), self._encode(v)] for k, v in obj.items()]}

    # --- decoding -------------------------------------------------------------------

    def loadb(self, data: bytes) -> Any:
        """Decode bytes made by :meth:`dumpb` (or by jobify 0.14's ExtendedJSONSerializer).

        A ``str`` of JSON is read too, as ``json.loads`` reads it. Errors are
        the ones jobify 0.14 raises, each with a note that says what to do.

        Raises:
            json.JSONDecodeError: ``data`` is not JSON (``UnicodeDecodeError``
                if its bytes are not text).
            KeyError: it holds an enum, dataclass or NamedTuple whose class is
                not registered.
            ValueError: a tagged value is malformed (or ``TypeError``, as the
                type it rebuilds raises).
            TypeError: ``data`` is neither bytes nor ``str``.
        """
        where = "ExtendedJSONSerializer.loadb()"
        try:
            text = json_text(data, where)
            # a tag is a key "__...", written as is or with \u escapes: text without
            # either has none, and skips the hook's call per object
            if "__" not in text and "\\u" not in text:
                return _UNTAGGED.decode(text)
            return self._decoder.decode(text)
        except _TagError as exc:
            error = exc.error
            explain(error, f"{where}: cannot decode {preview(data)}: {exc.detail}. {exc.fix}")
            error.__suppress_context__ = True  # the _TagError is ours, not the user's business
            raise error  # noqa: B904 - error keeps its own __cause__
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            explain(
                exc,
                f"{where}: cannot decode {preview(data)} as JSON. It was not written by "
                "ExtendedJSONSerializer.dumpb (another serializer wrote it, or it is corrupt): "
                "read it with the serializer that stored it",
            )
            raise

    def _object_hook(self, obj: dict[str, Any]) -> Any:
        if len(obj) != 1:
            return obj
        ((tag, value),) = obj.items()
        if tag not in _TAGS:
            return obj
        try:
            if tag in ("__enum__", "__dataclass__", "__namedtuple__"):
                return self._rebuild(tag, value)
            return _DECODERS[tag](value)
        except _TagError:
            raise
        except Exception as exc:
            detail = f"{tag} {preview(value)} is malformed"
            fix = "It was not written by ExtendedJSONSerializer.dumpb, or it is corrupt"
            raise _TagError(detail, fix, exc) from exc

    def _rebuild(self, tag: str, value: Any) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            msg = f"expected {{'type': name, ...}}, got {value!r}"
            raise TypeError(msg)
        name = value["type"]
        kind = tag.strip("_")
        tp = self.registry.get(name)
        if tp is None or _kind(tp) != kind:
            known = ", ".join(sorted(self.registry)) or "none"
            article = "an" if kind == "enum" else "a"
            detail = (
                f"it holds {article} {kind} named {name!r}, which is not registered "
                f"(registered: {known})"
            )
            fix = (
                f"Register the class: ExtendedJSONSerializer(registry=[{name}]) or "
                f"serializer.register_hints([{name}]); was it renamed or removed?"
            )
            raise _TagError(detail, fix, KeyError(name))
        try:
            if kind == "enum":
                return tp(value["value"])
            fields = value["fields"]
            if not isinstance(fields, dict):
                msg = f"expected the fields as an object, got {fields!r}"
                raise TypeError(msg)  # noqa: TRY301 - reported as a changed class below
            if kind == "namedtuple":
                return tp(**fields)
            return _make_dataclass(tp, fields)
        except (TypeError, ValueError, KeyError) as exc:
            detail = f"the stored {kind} {name!r} does not fit {_qualname(tp)} any more: {exc}"
            fix = (
                "The class changed since the job was stored: give new fields defaults, keep "
                "old enum values, or reschedule the job"
            )
            raise _TagError(detail, fix, exc) from exc


def _make_dataclass(tp: type, fields: dict[str, Any]) -> Any:
    known = {f.name: f.init for f in dataclasses.fields(tp)}
    unknown = [k for k in fields if k not in known]
    if unknown:
        msg = f"it has no field {', '.join(map(repr, unknown))}"
        raise TypeError(msg)
    instance = tp(**{k: v for k, v in fields.items() if known[k]})
    for key, item in fields.items():
        if not known[key]:  # field(init=False): restore what was stored
            object.__setattr__(instance, key, item)
    return instance
