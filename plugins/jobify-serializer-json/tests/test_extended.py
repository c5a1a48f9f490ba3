"""ExtendedJSONSerializer: each type, the registry, register_hints, and errors that give the fix."""

from __future__ import annotations

import collections
import dataclasses
import enum
import fractions
import io
import ipaddress
import json
import pathlib
import re
import typing
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Literal, NamedTuple, Optional
from zoneinfo import ZoneInfo

import pytest

from jobify_serializer_json import ExtendedJSONSerializer


class Color(enum.Enum):
    RED = "red"
    BLUE = (0, 0, 255)


class Level(enum.IntEnum):
    LOW = 1


@dataclasses.dataclass
class Point:
    x: int
    y: float
    color: Color = Color.RED


@dataclasses.dataclass(frozen=True, slots=True)
class Frozen:
    when: datetime
    tags: frozenset[str]
    derived: int = dataclasses.field(init=False, default=0)


class Pair(NamedTuple):
    left: Point
    right: Point | None = None


@dataclasses.dataclass
class Tree:
    value: int
    children: list[Tree]


def round_trip(serializer, value):
    return serializer.loadb(serializer.dumpb(value))


@pytest.mark.parametrize(
    "value",
    [
        datetime(2030, 1, 1, 12, 30, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
        datetime(2030, 1, 1, 12, 30, 0, 123456),
        date(2030, 2, 28),
        time(23, 59, 59, 999999),
        time(1, 2, tzinfo=timezone(timedelta(hours=5))),
        timedelta(days=-3, seconds=5, microseconds=7),
        timedelta(days=999_999_999, microseconds=1),
        Decimal("1.10"),
        Decimal("-0E+3"),
        Decimal("Infinity"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        {1, 2, "x"},
        frozenset({(1, 2)}),
        (1, (2, [3, (4,)])),
        (),
        b"\x00\xff",
        bytearray(b"ab"),
        {1: "int key", (1, 2): "tuple key", None: "none", date(2030, 1, 1): "date key"},
        {"__set__": [1, 2]},
        {"__dict__": {"nested": True}},
        {"plain": {"dict": [1, "two", None]}},
        fractions.Fraction(-3, 7),
        fractions.Fraction(5),
        complex(1.5, -2),
        pathlib.Path("/srv/data/report.csv"),
        pathlib.Path("relative/dir"),
        pathlib.PurePosixPath("/etc/hosts"),
        pathlib.PureWindowsPath(r"C:\Users\x"),
        ipaddress.IPv4Address("10.0.0.1"),
        ipaddress.IPv6Address("fe80::1"),
        ipaddress.IPv4Network("10.0.0.0/8"),
        ipaddress.IPv6Network("2001:db8::/32"),
        ipaddress.IPv4Interface("192.168.1.7/24"),
        ipaddress.IPv6Interface("fe80::1/64"),
        ZoneInfo("Europe/Berlin"),
        collections.deque([1, (2, 3), "x"]),
        re.compile(r"a+b", re.IGNORECASE | re.MULTILINE),
        re.compile(rb"\x00+", re.DOTALL),
        {"__deque__": [1]},
        {"__pattern__": {"pattern": "x", "flags": 0}},
    ],
    ids=lambda v: type(v).__name__,
)
def test_values_round_trip_with_their_type(value):
    got = round_trip(ExtendedJSONSerializer(), value)
    assert got == value
    assert type(got) is type(value)
    if isinstance(value, datetime | time):
        assert got.utcoffset() == value.utcoffset()


def test_tags_spelled_with_escapes_are_tags_and_plain_text_is_json():
    serializer = ExtendedJSONSerializer()
    assert serializer.loadb(b'{"\\u005f_set__": [1, 2]}') == {1, 2}
    assert serializer.loadb(b'{"_\\u005ftuple__": [1]}') == (1,)
    plain = b'{"v":1,"args":{"x":[1,"a_b"],"y":{"k":null}},"at":"2030-01-01T00:00:00+00:00"}'
    assert serializer.loadb(plain) == json.loads(plain)
    assert serializer.loadb(plain.decode()) == json.loads(plain)


def test_system_types_use_the_references_wire_format():
    serializer = ExtendedJSONSerializer()
    expected = [
        (fractions.Fraction(3, 7), {"__fraction__": "3/7"}),
        (complex(1.5, -2), {"__complex__": [1.5, -2.0]}),
        (pathlib.Path("/tmp/x"), {"__path__": "/tmp/x"}),
        (ipaddress.IPv4Address("10.0.0.1"), {"__ipaddress__": "10.0.0.1"}),
        (ipaddress.IPv6Network("fe80::/64"), {"__ipnetwork__": "fe80::/64"}),
        (ipaddress.IPv4Interface("10.0.0.1/24"), {"__ipinterface__": "10.0.0.1/24"}),
        (ZoneInfo("Europe/Berlin"), {"__zoneinfo__": "Europe/Berlin"}),
        (collections.deque([1, (2,)]), {"__deque__": [1, {"__tuple__": [2]}]}),
        (re.compile("a+b", re.I | re.M), {"__pattern__": {"pattern": "a+b", "flags": 42}}),
    ]
    for value, form in expected:
        assert json.loads(serializer.dumpb(value)) == form


def test_reads_the_system_types_the_reference_wrote():
    # bytes written by jobify 0.14's ExtendedJSONSerializer
    data = (
        b'[{"__fraction__": "3"}, {"__complex__": [NaN, Infinity]}, {"__path__": "rel/x"}, '
        b'{"__ipaddress__": "::ffff:102:304"}, {"__ipnetwork__": "10.0.0.0/8"}, '
        b'{"__ipinterface__": "fe80::1%eth0/64"}, {"__zoneinfo__": "UTC"}, '
        b'{"__deque__": [1, {"__tuple__": [2]}]}, '
        b'{"__pattern__": {"pattern": "x", "flags": 336}}]'
    )
    got = ExtendedJSONSerializer().loadb(data)
    assert got[0] == fractions.Fraction(3) and type(got[0]) is fractions.Fraction
    assert str(got[1]) == "(nan+infj)"
    assert got[2] == pathlib.Path("rel/x") and isinstance(got[2], pathlib.Path)
    assert got[3:7] == [
        ipaddress.IPv6Address("::ffff:1.2.3.4"),
        ipaddress.IPv4Network("10.0.0.0/8"),
        ipaddress.IPv6Interface("fe80::1%eth0/64"),
        ZoneInfo("UTC"),
    ]
    assert got[7] == collections.deque([1, (2,)]) and type(got[7]) is collections.deque
    assert got[8] == re.compile("x", re.DOTALL | re.VERBOSE | re.ASCII)


def test_bounded_deques_keep_their_maxlen():
    serializer = ExtendedJSONSerializer()
    value = collections.deque([1, 2], maxlen=3)
    data = serializer.dumpb(value)
    assert json.loads(data) == {"__boundeddeque__": {"items": [1, 2], "maxlen": 3}}
    got = serializer.loadb(data)
    assert got == value and got.maxlen == 3


def test_patterns_keep_pattern_and_flags():
    serializer = ExtendedJSONSerializer()
    for value in (re.compile(r"(?x) a \d+", re.ASCII), re.compile(rb"[\x00-\x1f]", re.I)):
        got = round_trip(serializer, value)
        assert (got.pattern, got.flags) == (value.pattern, value.flags)


def test_a_zoneinfo_without_a_key_fails_when_stored():
    nameless = ZoneInfo.from_file(io.BytesIO(_tzif_utc()))
    with pytest.raises(TypeError, match=r"has no key to store; use ZoneInfo\('Area/City'\)"):
        ExtendedJSONSerializer().dumpb(nameless)


def _tzif_utc() -> bytes:
    """A minimal TZif v1 file for UTC (no transitions, one type)."""
    header = b"TZif" + b"\x00" * 16
    counts = (0, 0, 0, 0, 1, 4)  # isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    body = b"".join(n.to_bytes(4, "big") for n in counts)
    ttinfo = (0).to_bytes(4, "big", signed=True) + b"\x00\x00"
    return header + body + ttinfo + b"UTC\x00"


def test_zoned_datetimes_keep_their_zone():
    serializer = ExtendedJSONSerializer()
    berlin = ZoneInfo("Europe/Berlin")
    ambiguous = datetime(2030, 10, 27, 2, 30, fold=1, tzinfo=berlin)  # the second 02:30
    data = serializer.dumpb(ambiguous)
    assert data == b'{"__datetime__":"2030-10-27T02:30:00+01:00[Europe/Berlin]"}'
    got = serializer.loadb(data)
    assert got.tzinfo is berlin and got.fold == 1 and got == ambiguous
    assert (got + timedelta(days=200)).utcoffset() == timedelta(hours=2)  # still follows DST


def test_an_unknown_zone_keeps_the_instant_with_its_offset():
    got = ExtendedJSONSerializer().loadb(
        b'{"__datetime__":"2030-01-01T12:00:00+05:00[Nowhere/Atlantis]"}'
    )
    assert got == datetime(2030, 1, 1, 7, tzinfo=UTC)
    assert got.utcoffset() == timedelta(hours=5)


def test_registered_classes_round_trip_nested():
    serializer = ExtendedJSONSerializer([Color, Level, Point, Frozen, Pair])
    frozen = Frozen(datetime(2030, 1, 1, tzinfo=UTC), frozenset({"a"}))
    object.__setattr__(frozen, "derived", 42)
    value = {
        "pair": Pair(Point(1, 2.5, Color.BLUE)),
        "frozen": frozen,
        "levels": [Level.LOW],
        "by_color": {Color.RED: (Point(0, 0.0),)},
    }
    got = round_trip(serializer, value)
    assert got == value
    assert got["frozen"].derived == 42
    assert type(got["levels"][0]) is Level
    assert type(got["pair"]) is Pair


def test_wire_format_is_the_references():
    serializer = ExtendedJSONSerializer([Color, Point, Pair])
    expected = [
        (
            datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=3))),
            {"__datetime__": "2020-01-01T00:00:00+03:00"},
        ),
        (time(1, 2, 3, 4), {"__time__": "01:02:03.000004"}),
        (timedelta(days=1, microseconds=5), {"__timedelta__": 86400.000005}),
        (Decimal("1.10"), {"__decimal__": "1.10"}),
        (b"ab", {"__bytes__": "YWI="}),
        (Color.RED, {"__enum__": {"type": "Color", "value": "red"}}),
        (
            Point(1, 2.0),
            {
                "__dataclass__": {
                    "type": "Point",
                    "fields": {
                        "x": 1,
                        "y": 2.0,
                        "color": {"__enum__": {"type": "Color", "value": "red"}},
                    },
                }
            },
        ),
        (
            Pair(Point(1, 2.0)),
            {
                "__namedtuple__": {
                    "type": "Pair",
                    "fields": {
                        "left": {
                            "__dataclass__": {
                                "type": "Point",
                                "fields": {
                                    "x": 1,
                                    "y": 2.0,
                                    "color": {"__enum__": {"type": "Color", "value": "red"}},
                                },
                            }
                        },
                        "right": None,
                    },
                }
            },
        ),
    ]
    for value, form in expected:
        assert json.loads(serializer.dumpb(value)) == form


def test_reads_what_the_reference_wrote():
    # bytes written by jobify 0.14's ExtendedJSONSerializer (registry=[Color, Point])
    serializer = ExtendedJSONSerializer([Color, Point])
    data = (
        b'[{"__datetime__": "2020-01-01T00:00:00+03:00"}, {"__set__": [1, 2]}, {"__tuple__": [1, {"__tuple__": [2, 3]}]}, '
        b'{"__bytearray__": "eA=="}, {"__timedelta__": -86400.0}, {"__uuid__": "00000000-0000-0000-0000-000000000005"}, '
        b'{"__dataclass__": {"type": "Point", "fields": {"x": 1, "y": 2.0, "color": {"__enum__": {"type": "Color", "value": "red"}}}}}]'
    )
    assert serializer.loadb(data) == [
        datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=3))),
        {1, 2},
        (1, (2, 3)),
        bytearray(b"x"),
        timedelta(days=-1),
        uuid.UUID(int=5),
        Point(1, 2.0),
    ]


def test_timedeltas_beyond_float_precision_are_exact():
    serializer = ExtendedJSONSerializer()
    value = timedelta(days=999_999_999, microseconds=1)
    assert json.loads(serializer.dumpb(value)) == {"__timedelta__": [999_999_999, 0, 1]}
    assert serializer.loadb(serializer.dumpb(value)) == value


def test_subclasses_of_builtins_come_back_as_the_base_type():
    class Name(str):
        pass

    got = round_trip(
        ExtendedJSONSerializer(),
        [Name("x"), collections.OrderedDict(a=(1,)), collections.defaultdict(list, b=[1])],
    )
    assert got == ["x", {"a": (1,)}, {"b": [1]}]
    assert [type(v) for v in got] == [str, dict, dict]


# --- the registry ---------------------------------------------------------------


def test_unregistered_classes_fail_when_stored_with_the_fix():
    serializer = ExtendedJSONSerializer()
    with pytest.raises(TypeError) as info:
        serializer.dumpb({"p": Point(1, 2.0)})
    assert str(info.value) == (
        f"ExtendedJSONSerializer.dumpb(): {__name__}.Point (a dataclass) is not registered, so it "
        "could not be read back; register it: ExtendedJSONSerializer(registry=[Point]) or "
        "serializer.register_hints([Point])"
    )
    with pytest.raises(TypeError, match=r"Color \(an Enum\) is not registered"):
        serializer.dumpb(Color.RED)
    with pytest.raises(TypeError, match=r"Pair \(a NamedTuple\) is not registered"):
        serializer.dumpb(Pair(Point(1, 2.0)))


def test_unregistered_names_in_stored_data_fail_with_the_fix():
    data = ExtendedJSONSerializer([Point, Color]).dumpb([Point(1, 2.0)])
    with pytest.raises(KeyError) as info:  # as in 0.14: KeyError('Point')
        ExtendedJSONSerializer([Color]).loadb(data)
    assert info.value.args == ("Point",)
    (text,) = info.value.__notes__
    assert text.startswith("ExtendedJSONSerializer.loadb(): cannot decode b'[{")
    assert "it holds a dataclass named 'Point', which is not registered (registered: Color)" in text
    assert "Register the class: ExtendedJSONSerializer(registry=[Point])" in text


def test_a_class_that_changed_since_storing():
    data = ExtendedJSONSerializer([Point, Color]).dumpb(Point(1, 2.0))
    new_point = dataclasses.make_dataclass("Point", [("x", int)])  # the class, one version later
    with pytest.raises(TypeError, match="it has no field 'y', 'color'") as info:
        ExtendedJSONSerializer([new_point, Color]).loadb(data)
    assert re.search(
        r"the stored dataclass 'Point' does not fit types.Point any more: it has no field 'y', 'color'. The class changed",
        info.value.__notes__[0],
    )
    with pytest.raises(ValueError, match="'green' is not a valid Color") as info:
        ExtendedJSONSerializer([Color]).loadb(b'{"__enum__":{"type":"Color","value":"green"}}')
    assert "the stored enum 'Color' does not fit" in info.value.__notes__[0]


@pytest.mark.parametrize(
    "data",
    [
        b'{"__uuid__": "not-a-uuid"}',
        b'{"__decimal__": "x1"}',
        b'{"__datetime__": 5}',
        b'{"__bytes__": "%%%"}',
        b'{"__timedelta__": "soon"}',
        b'{"__set__": [[1]]}',
        b'{"__dict__": [[1, 2, 3]]}',
        b'{"__enum__": "Color"}',
        b'{"__fraction__": "1/0"}',
        b'{"__complex__": [1, "x"]}',
        b'{"__complex__": [1]}',
        b'{"__path__": 5}',
        b'{"__ipaddress__": "999.1.1.1"}',
        b'{"__ipnetwork__": "10.0.0.1/8"}',
        b'{"__zoneinfo__": "Nowhere/Atlantis"}',
        b'{"__deque__": {"a": 1}}',
        b'{"__boundeddeque__": {"items": [1], "maxlen": "3"}}',
        b'{"__pattern__": {"pattern": "(", "flags": 0}}',
        b'{"__pattern__": {"pattern": "x"}}',
    ],
)
def test_malformed_tags_raise_what_rebuilding_raised_with_a_note(data):
    # as in 0.14: the error of the type being rebuilt (ValueError for a bad UUID), not a wrapper
    with pytest.raises(Exception) as info:  # noqa: PT011 - the type is the rebuilt type's
        ExtendedJSONSerializer([Color]).loadb(data)
    assert not info.value.__suppress_context__ or info.value.__context__ is not None
    (note,) = info.value.__notes__
    assert re.search(
        r"is malformed\. It was not written by ExtendedJSONSerializer.dumpb, or it is corrupt",
        note,
    )


def test_malformed_uuid_is_the_value_error_of_uuid():
    with pytest.raises(ValueError, match="badly formed hexadecimal UUID string"):
        ExtendedJSONSerializer().loadb(b'{"__uuid__": "not-a-uuid"}')


def test_garbage_raises_json_decode_error_with_a_note():
    with pytest.raises(json.JSONDecodeError) as info:
        ExtendedJSONSerializer().loadb(b"\xff\x00")
    assert re.search(r"cannot decode b'\\xff\\x00' \(2 bytes\) as JSON", info.value.__notes__[0])


def test_str_is_read_as_json_loads_reads_it():
    assert ExtendedJSONSerializer().loadb('{"__set__": [1]}') == {1}


def test_registry_accepts_only_rebuildable_classes():
    with pytest.raises(
        TypeError,
        match=r"ExtendedJSONSerializer\(registry=...\): <class 'int'> is not a dataclass, NamedTuple or Enum",
    ):
        ExtendedJSONSerializer([int])
    with pytest.raises(
        TypeError, match=r"expected a sequence of classes, got <enum 'Color'>; pass \[Color\]"
    ):
        ExtendedJSONSerializer(Color)
    with pytest.raises(
        TypeError, match=r"add_system_types\(\): expected a sequence of classes.*pass \[Point\]"
    ):
        ExtendedJSONSerializer().add_system_types(Point)


def test_two_classes_with_one_name_are_refused():
    other = dataclasses.make_dataclass("Point", [("z", int)])
    with pytest.raises(
        ValueError,
        match=rf"two classes are named 'Point': {__name__}.Point and types.Point.*rename one of them",
    ):
        ExtendedJSONSerializer([Point, other])
    serializer = ExtendedJSONSerializer([Point])
    with pytest.raises(TypeError, match=r"types.Point is not the registered 'Point'"):
        serializer.dumpb(other(1))
    serializer.add_system_types([Point])  # the same class again is fine


def test_registry_entries_may_be_module_attr_strings():
    serializer = ExtendedJSONSerializer(["http:HTTPStatus", f"{Color.__module__}:Color"])
    assert set(serializer.registry) == {"HTTPStatus", "Color"}
    with pytest.raises(
        ValueError,
        match=r"registry='nope'\): expected 'module:attr'.*e.g. registry='myapp.models:Point'",
    ):
        ExtendedJSONSerializer(["nope"])
    with pytest.raises(
        ValueError,
        match=r"registry='http:Nope'\): module 'http' has no 'Nope'; check the module and the name",
    ):
        ExtendedJSONSerializer(["http:Nope"])


def test_add_system_types_then_round_trip():
    serializer = ExtendedJSONSerializer()
    serializer.add_system_types([Color, Point])
    assert serializer.registry == {"Color": Color, "Point": Point}
    assert round_trip(serializer, Point(1, 2.0, Color.BLUE)) == Point(1, 2.0, Color.BLUE)
    assert repr(serializer) == "ExtendedJSONSerializer(registry=[Color, Point])"


def test_register_hints_walks_generics_and_fields():
    serializer = ExtendedJSONSerializer()
    serializer.register_hints(
        [
            int,
            str,
            list[Pair],
            Optional[Tree],  # noqa: UP045 - typing.Union, not types.UnionType
            Annotated[Level, "meta"],
            Literal[Color.RED],
            "Forward",
        ]
    )
    assert serializer.registry == {
        "Pair": Pair,
        "Point": Point,
        "Color": Color,
        "Tree": Tree,
        "Level": Level,
    }
    tree = Tree(1, [Tree(2, [])])
    assert round_trip(serializer, {"t": tree, "p": [Pair(Point(0, 1.0))]}) == {
        "t": tree,
        "p": [Pair(Point(0, 1.0))],
    }


def test_register_hints_with_task_annotations():
    async def task(points: dict[str, Point], frozen: Frozen | None = None) -> None: ...

    serializer = ExtendedJSONSerializer()
    serializer.register_hints(typing.get_type_hints(task).values())
    assert set(serializer.registry) == {"Point", "Color", "Frozen"}


def test_a_value_containing_itself():
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself or is nested too deeply"):
        ExtendedJSONSerializer().dumpb(loop)


def test_unsupported_values_fail_when_stored():
    with pytest.raises(
        TypeError, match=r"cannot store <object object at .*> of type builtins.object; convert it"
    ):
        ExtendedJSONSerializer().dumpb({"x": object()})
