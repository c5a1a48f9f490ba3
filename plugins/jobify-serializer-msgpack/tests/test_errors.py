"""Bad bytes fail with msgpack's own errors (as in 0.14) plus a note; bad options name the fix."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobify_serializer_msgpack import MsgpackSerializer

SERIALIZER = MsgpackSerializer()


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\x00garbage\xfe", b"\x81", b"\xc1", b'{"v": 1}', b"\x92\x01", b"\xa2\xff\xfe"],
    ids=["empty", "binary", "truncated-map", "reserved-byte", "json", "short-array", "bad-utf8"],
)
def test_garbage_raises_msgpacks_value_error_with_a_note_naming_the_serializer(data):
    with pytest.raises(ValueError) as info:  # noqa: PT011 - msgpack's own, as in 0.14
        SERIALIZER.loadb(data)
    (note,) = info.value.__notes__
    assert note.startswith("MsgpackSerializer.loadb(): cannot decode ")
    assert repr(data[:8])[:-1] in note
    assert "read it with the serializer that stored it" in note


def test_garbage_is_msgpacks_format_error():
    with pytest.raises(msgpack.FormatError):
        SERIALIZER.loadb(b"\xc1")


def test_non_str_keys_are_refused_by_default_with_the_option_to_allow_them():
    data = MsgpackSerializer().dumpb({1: "a"})
    with pytest.raises(ValueError, match="int is not allowed for map key"):
        SERIALIZER.loadb(data)
    assert MsgpackSerializer(strict_map_key=False).loadb(data) == {1: "a"}


def test_limits_apply():
    data = SERIALIZER.dumpb("x" * 100)
    with pytest.raises(ValueError, match=r"exceeds max_str_len\(10\)"):
        MsgpackSerializer(max_str_len=10).loadb(data)


def test_a_hook_that_refuses_raises_its_error_with_the_note():
    def refuse(obj):
        raise ValueError("no maps here")

    with pytest.raises(ValueError, match="no maps here") as info:
        MsgpackSerializer(object_hook=refuse).loadb(SERIALIZER.dumpb({"a": 1}))
    assert info.value.__notes__[0].startswith("MsgpackSerializer.loadb(): cannot decode")


FUZZED = [
    SERIALIZER,
    MsgpackSerializer(strict_map_key=False, use_list=False),
    MsgpackSerializer(timestamp=3, raw=True),
]


# random bytes, and random Timestamp extensions (96-bit and 64-bit forms)
timestamps = st.binary(min_size=12, max_size=12).map(lambda raw: b"\xc7\x0c\xff" + raw) | st.binary(
    min_size=8, max_size=8
).map(lambda raw: b"\xd7\xff" + raw)


@given(st.binary() | timestamps)
def test_any_bytes_either_decode_or_raise_with_the_note(data):
    for serializer in FUZZED:
        try:
            serializer.loadb(data)
        except (ValueError, TypeError, OverflowError) as exc:
            assert exc.__notes__[-1].startswith("MsgpackSerializer.loadb(): cannot decode")  # noqa: PT017


def test_a_timestamp_outside_datetimes_range_is_a_decode_error():
    serializer = MsgpackSerializer(datetime=True, timestamp=3)
    data = serializer.dumpb(datetime(1, 1, 1, tzinfo=timezone(timedelta(minutes=1))))
    with pytest.raises(OverflowError, match="date value out of range"):
        serializer.loadb(data)


def test_unencodable_values_raise_msgpack_errors():
    with pytest.raises(TypeError, match="can not serialize"):
        SERIALIZER.dumpb({"x": object()})
    with pytest.raises(OverflowError):
        SERIALIZER.dumpb(2**64)
    with pytest.raises(ValueError, match="tzinfo"):
        MsgpackSerializer(datetime=True).dumpb(datetime(2030, 1, 1))


def test_ext_types_decode_without_an_ext_hook():
    data = msgpack.packb(msgpack.ExtType(5, b"xy"))
    assert SERIALIZER.loadb(data) == msgpack.ExtType(5, b"xy")
    assert MsgpackSerializer(ext_hook=lambda code, raw: (code, raw)).loadb(data) == (5, b"xy")


def test_unicode_errors_apply_when_decoding():
    assert MsgpackSerializer(unicode_errors="replace").loadb(b"\xa2\xff\xfe") == "\ufffd\ufffd"


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"timestamp": 7}, ValueError, r"MsgpackSerializer\(timestamp=7\): expected one of 0"),
        ({"timestamp": True}, TypeError, r"timestamp=True"),
        ({"raw": "yes"}, TypeError, r"MsgpackSerializer\(raw='yes'\): expected True or False"),
        ({"use_bin_type": 1}, TypeError, r"use_bin_type=1"),
        ({"max_str_len": -5}, ValueError, r"max_str_len=-5\): expected an int >= -1"),
        ({"max_map_len": "10"}, TypeError, r"max_map_len='10'\): expected an int"),
        ({"unicode_errors": "bogus"}, ValueError, r"no codec error handler.*'replace'"),
        ({"unicode_errors": 1}, TypeError, r"unicode_errors=1"),
        ({"ext_hook": 3}, TypeError, r"ext_hook=3\): expected a callable"),
        ({"object_hook": dict, "object_pairs_hook": dict}, TypeError, r"one of them, not both"),
    ],
)
def test_bad_options_fail_in_the_constructor(options, error, match):
    with pytest.raises(error, match=match):
        MsgpackSerializer(**options)


def test_only_options_that_differ_from_msgpacks_defaults_are_passed():
    plain = MsgpackSerializer()
    assert plain._packb is msgpack.packb
    assert plain._unpackb is msgpack.unpackb
    tuned = MsgpackSerializer(datetime=True, timestamp=3, max_map_len=-1)
    assert tuned._packb.keywords == {"datetime": True}
    assert tuned._unpackb.keywords == {"timestamp": 3}


def test_options_are_frozen():
    with pytest.raises(AttributeError):
        SERIALIZER.raw = True
