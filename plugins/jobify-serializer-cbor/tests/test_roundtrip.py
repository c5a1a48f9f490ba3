"""Property tests: JSON values and the types CBOR tags natively round-trip."""

from __future__ import annotations

import ipaddress
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import cbor2
from hypothesis import given
from hypothesis import strategies as st

from jobify_serializer_cbor import CBORSerializer

SERIALIZER = CBORSerializer()

# CBOR integers have no size limit (bignums); NaN is left out only because
# NaN != NaN (it round-trips, as do the infinities).
floats = st.floats(allow_nan=False)
scalars = st.none() | st.booleans() | st.integers() | floats | st.text()
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=30,
)
offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware = st.datetimes(timezones=st.just(UTC) | offsets | st.timezones())
tagged = (
    st.binary()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.fractions()
    | st.uuids()
    | st.dates()
    | st.sets(st.integers(-1000, 1000), max_size=5)
    | st.ip_addresses()
)
rich_values = st.recursive(
    scalars | tagged,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text() | st.integers() | st.binary(), children, max_size=5)
    ),
    max_leaves=30,
)


@given(json_values)
def test_json_values_round_trip(value):
    data = SERIALIZER.dumpb(value)
    assert isinstance(data, bytes)
    assert SERIALIZER.loadb(data) == value


@given(rich_values)
def test_tagged_types_and_non_str_keys_round_trip(value):
    assert SERIALIZER.loadb(SERIALIZER.dumpb(value)) == value


@given(rich_values)
def test_canonical_output_is_deterministic_and_round_trips(value):
    serializer = CBORSerializer(canonical=True)
    data = serializer.dumpb(value)
    assert serializer.dumpb(serializer.loadb(data)) == data
    assert serializer.loadb(data) == value


@given(json_values)
def test_output_is_plain_cbor(value):
    assert cbor2.loads(SERIALIZER.dumpb(value)) == value
    assert SERIALIZER.loadb(cbor2.dumps(value)) == value


@given(st.lists(json_values, max_size=4))
def test_tuples_come_back_as_lists(items):
    assert SERIALIZER.loadb(SERIALIZER.dumpb(tuple(items))) == items


def _instant(moment: datetime) -> datetime:
    # compared as UTC instants: a zone's repeated hour (fold) never compares
    # equal across zones, by PEP 495
    return moment.astimezone(UTC)


@given(st.lists(aware, max_size=4))
def test_aware_datetimes_come_back_as_the_same_instant(items):
    got = SERIALIZER.loadb(SERIALIZER.dumpb(items))
    assert all(isinstance(moment, datetime) and moment.tzinfo is not None for moment in got)
    assert [_instant(m) for m in got] == [_instant(m) for m in items]


@given(st.lists(aware, max_size=4))
def test_aware_datetimes_keep_their_utc_offset(items):
    got = SERIALIZER.loadb(SERIALIZER.dumpb(items))
    assert [m.utcoffset() for m in got] == [m.utcoffset() for m in items]


@given(st.datetimes(), st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]))
def test_naive_datetimes_are_read_in_the_configured_timezone(moment, zone):
    serializer = CBORSerializer(timezone=zone)
    got = serializer.loadb(serializer.dumpb(moment))
    expected = moment.replace(tzinfo=serializer.timezone)
    assert _instant(got) == _instant(expected)


@given(aware.filter(lambda m: m.year >= 1900).map(lambda m: m.replace(microsecond=0)))
def test_datetimes_as_timestamps_come_back_in_utc(moment):
    serializer = CBORSerializer(datetime_as_timestamp=True)
    got = serializer.loadb(serializer.dumpb(moment))
    assert got.utcoffset() == timedelta(0)
    assert got == _instant(moment)


@given(st.dates())
def test_dates_round_trip_or_become_midnight_datetimes(day: date):
    assert SERIALIZER.loadb(SERIALIZER.dumpb(day)) == day
    serializer = CBORSerializer(date_as_datetime=True, timezone=UTC)
    got = serializer.loadb(serializer.dumpb(day))
    assert got == datetime(day.year, day.month, day.day, tzinfo=UTC)


@given(rich_values)
def test_immutable_decoding_gives_hashable_containers(value):
    got = CBORSerializer(immutable=True).loadb(SERIALIZER.dumpb([value]))
    assert isinstance(got, tuple)
    hash(got)


@given(st.lists(st.text(min_size=5), min_size=1, max_size=5))
def test_string_referencing_and_value_sharing_round_trip_and_shrink(words):
    repeated = words * 4
    packed = CBORSerializer(string_referencing=True, value_sharing=True)
    data = packed.dumpb(repeated)
    assert packed.loadb(data) == repeated
    assert len(data) <= len(SERIALIZER.dumpb(repeated))


def test_cyclic_structures_need_value_sharing():
    cycle: list[object] = [1]
    cycle.append(cycle)
    serializer = CBORSerializer(value_sharing=True)
    got = serializer.loadb(serializer.dumpb(cycle))
    assert got[0] == 1
    assert got[1] is got


@given(st.ip_addresses(), st.integers(0, 128))
def test_ip_networks_round_trip(address, prefix):
    network = ipaddress.ip_network(f"{address}/{min(prefix, address.max_prefixlen)}", strict=False)
    assert SERIALIZER.loadb(SERIALIZER.dumpb(network)) == network


def test_decimal_and_fraction_keep_exact_values():
    value = {"d": Decimal("0.1"), "f": Fraction(1, 3), "big": 2**200}
    assert SERIALIZER.loadb(SERIALIZER.dumpb(value)) == value
