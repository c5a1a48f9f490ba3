"""Property tests: JSON values, bytes and (when configured) datetimes round-trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import msgpack
from hypothesis import given
from hypothesis import strategies as st

from jobify_serializer_msgpack import MsgpackSerializer

SERIALIZER = MsgpackSerializer()

# MessagePack integers are 64-bit (signed and unsigned); NaN is left out
# only because NaN != NaN (it round-trips, as do the infinities).
ints = st.integers(min_value=-(2**63), max_value=2**64 - 1)
floats = st.floats(allow_nan=False)
scalars = st.none() | st.booleans() | ints | floats | st.text()
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=30,
)
with_bytes = st.recursive(
    scalars | st.binary(),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text() | st.binary(), children, max_size=5)
    ),
    max_leaves=30,
)
offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# a day inside datetime's range, so that the UTC instant is representable too
aware = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.just(UTC) | offsets | st.timezones(),
)


@given(json_values)
def test_json_values_round_trip(value):
    data = SERIALIZER.dumpb(value)
    assert isinstance(data, bytes)
    assert SERIALIZER.loadb(data) == value


@given(with_bytes)
def test_bytes_round_trip_as_bytes_and_str_keys_stay_str(value):
    assert SERIALIZER.loadb(SERIALIZER.dumpb(value)) == value


@given(json_values)
def test_output_is_plain_messagepack(value):
    data = SERIALIZER.dumpb(value)
    assert msgpack.unpackb(data) == value
    assert SERIALIZER.loadb(msgpack.packb(value)) == value


@given(st.lists(json_values, max_size=4))
def test_tuples_come_back_as_lists_or_lists_as_tuples_with_use_list_false(items):
    assert SERIALIZER.loadb(SERIALIZER.dumpb(tuple(items))) == items
    serializer = MsgpackSerializer(use_list=False)
    assert serializer.loadb(serializer.dumpb(items)) == _lists_to_tuples(items)


def _lists_to_tuples(value):
    if isinstance(value, list):
        return tuple(_lists_to_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _lists_to_tuples(v) for k, v in value.items()}
    return value


@given(st.dictionaries(ints | st.text(), json_values, max_size=5))
def test_non_str_keys_with_strict_map_key_false(value):
    serializer = MsgpackSerializer(strict_map_key=False)
    assert serializer.loadb(serializer.dumpb(value)) == value


@given(st.dictionaries(st.text(), aware, max_size=5), st.lists(aware, max_size=3))
def test_aware_datetimes_come_back_as_utc_datetimes_with_timestamp_3(mapping, items):
    serializer = MsgpackSerializer(datetime=True, timestamp=3)
    got = serializer.loadb(serializer.dumpb({"m": mapping, "l": items}))
    assert set(got) == {"m", "l"}
    assert list(got["m"]) == list(mapping)
    # compared as UTC instants: a zone's repeated hour (fold) never compares
    # equal across zones, by PEP 495
    assert [*got["m"].values(), *got["l"]] == [
        moment.astimezone(UTC) for moment in [*mapping.values(), *items]
    ]
    for moment in [*got["m"].values(), *got["l"]]:
        assert moment.utcoffset() == timedelta(0)


@given(aware)
def test_datetimes_as_timestamp_objects_by_default(moment):
    serializer = MsgpackSerializer(datetime=True)
    got = serializer.loadb(serializer.dumpb(moment))
    assert isinstance(got, msgpack.Timestamp)
    assert got.to_datetime() == moment.astimezone(UTC)


@given(st.sets(ints, max_size=8))
def test_default_hook_encodes_what_msgpack_cannot(value):
    serializer = MsgpackSerializer(default=sorted)
    assert serializer.loadb(serializer.dumpb({"s": value})) == {"s": sorted(value)}
