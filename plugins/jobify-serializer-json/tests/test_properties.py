"""Property tests: nested values of every supported type round-trip with ExtendedJSONSerializer."""

from __future__ import annotations

import collections
import dataclasses
import enum
import ipaddress
import json
import pathlib
import re
import warnings
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from jobify_serializer_json import ExtendedJSONSerializer, UnsafePickleSerializer


class Suit(enum.Enum):
    HEARTS = "h"
    SPADES = ("s", 1)


class Flag(enum.IntFlag):
    A = 1
    B = 2


@dataclasses.dataclass
class Card:
    suit: Suit
    rank: int
    extra: Any = None


class Hand(NamedTuple):
    owner: str
    cards: tuple[Card, ...]


SERIALIZER = ExtendedJSONSerializer([Suit, Flag, Card, Hand])


def _compiles(pattern: str) -> bool:
    """``pattern`` compiles without error or warning (``[[`` warns: "possible nested set")."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            re.compile(pattern)
        except (re.error, FutureWarning):
            return False
    return True


offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
hashables = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=10)
    | st.dates()
    | st.uuids()
    | st.sampled_from(Suit)
    | st.fractions()
    | st.ip_addresses(),
    lambda children: (
        st.lists(children, max_size=3).map(tuple) | st.frozensets(children, max_size=3)
    ),
    max_leaves=6,
)
scalars = (
    hashables
    | st.floats()
    | st.decimals()
    | st.binary(max_size=20)
    | st.binary(max_size=20).map(bytearray)
    | st.datetimes(timezones=st.none() | st.just(UTC) | offsets)
    | st.datetimes(timezones=st.timezones(), allow_imaginary=False)
    | st.times(timezones=st.none() | offsets)
    | st.timedeltas()
    | st.sampled_from([Flag.A, Flag.A | Flag.B])
    | st.fractions()
    | st.complex_numbers()
    | st.text(st.characters(blacklist_characters="\x00"), max_size=12).flatmap(
        lambda text: st.sampled_from(
            [pathlib.Path, pathlib.PurePosixPath, pathlib.PureWindowsPath]
        ).map(lambda kind: kind(text))
    )
    | st.ip_addresses()
    | st.ip_addresses().flatmap(
        lambda ip: st.integers(0, ip.max_prefixlen).flatmap(
            lambda bits: st.sampled_from(
                [
                    ipaddress.ip_interface(f"{ip}/{bits}"),
                    ipaddress.ip_network(f"{ip}/{bits}", strict=False),
                ]
            )
        )
    )
    | st.timezone_keys(allow_prefix=False).map(ZoneInfo)
    | st.tuples(
        st.from_regex(r"[a-z.*+?()\[\]\\d]{0,8}", fullmatch=True).filter(_compiles),
        st.sampled_from([0, re.I, re.M | re.S, re.X | re.A]),
    ).map(lambda pair: re.compile(*pair))
)


def containers(children):
    return (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
        | st.dictionaries(hashables, children, max_size=3)
        | st.sets(hashables, max_size=4)
        | st.frozensets(hashables, max_size=4)
        | st.lists(children, max_size=4).map(collections.deque)
        | st.tuples(st.lists(children, max_size=4), st.integers(0, 5)).map(
            lambda pair: collections.deque(*pair)
        )
        | st.builds(Card, st.sampled_from(Suit), st.integers(1, 13), children)
        | st.builds(
            Hand,
            st.text(max_size=5),
            st.lists(st.builds(Card, st.sampled_from(Suit), st.integers(1, 13)), max_size=3).map(
                tuple
            ),
        )
    )


values = st.recursive(scalars, containers, max_leaves=25)


def canon(value: Any) -> Any:
    """A form that compares type and value exactly (NaN, -0.0, Decimal exponents, tz included)."""
    tp = type(value)
    if tp in (set, frozenset):
        return (tp.__name__, sorted(repr(canon(v)) for v in value))
    if tp is dict:
        return ("dict", [(canon(k), canon(v)) for k, v in value.items()])
    if isinstance(value, tuple | list):
        return (tp.__name__, [canon(v) for v in value])
    if isinstance(value, collections.deque):
        return ("deque", value.maxlen, [canon(v) for v in value])
    if isinstance(value, complex):  # NaN parts and -0.0 compared exactly
        return ("complex", repr(value.real), repr(value.imag))
    if isinstance(value, re.Pattern):
        return ("Pattern", value.pattern, value.flags)
    if dataclasses.is_dataclass(value):
        return (tp.__name__, canon(vars(value)))
    if isinstance(value, bytearray | bytes):
        return (tp.__name__, bytes(value))
    if isinstance(value, datetime | time):
        # fold matters only where it changes the offset (README)
        return (tp.__name__, repr(value.replace(fold=0)), value.utcoffset())
    return (tp.__name__, repr(value))


@settings(max_examples=150)
@given(values)
def test_extended_round_trips_exactly(value):
    data = SERIALIZER.dumpb(value)
    assert isinstance(data, bytes)
    assert canon(SERIALIZER.loadb(data)) == canon(value)


@settings(max_examples=50)
@given(values)
def test_extended_output_is_valid_json_text(value):
    json.loads(SERIALIZER.dumpb(value).decode("utf-8", "surrogatepass"))


@given(st.binary())
def test_any_bytes_decode_or_raise_with_the_note(data):
    try:
        SERIALIZER.loadb(data)
    except Exception as exc:  # the decoder's own error, as in 0.14
        assert exc.__notes__[-1].startswith("ExtendedJSONSerializer.loadb(): cannot decode")  # noqa: PT017


@settings(max_examples=50)
@given(
    st.dictionaries(
        st.sampled_from(["__set__", "__tuple__", "__enum__", "__dict__", "x"]),
        scalars | st.lists(scalars, max_size=3),
        max_size=2,
    )
)
def test_user_dicts_that_look_like_tags_stay_dicts(value):
    assert canon(SERIALIZER.loadb(SERIALIZER.dumpb(value))) == canon(value)


@settings(max_examples=50)
@given(values)
def test_pickle_round_trips_the_same_values(value):
    serializer = UnsafePickleSerializer()
    assert canon(serializer.loadb(serializer.dumpb(value))) == canon(value)
