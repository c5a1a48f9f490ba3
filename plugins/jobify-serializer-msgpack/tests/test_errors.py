"""Bad bytes and bad options fail with errors that name the serializer and the fix."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobify.exceptions import BaseJobifyError
from jobify_serializer_msgpack import MsgpackDecodeError, MsgpackSerializer

SERIALIZER = MsgpackSerializer()


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\x00garbage\xfe", b"\x81", b"\xc1", b'{"v": 1}', b"\x92\x01", b"\xa2\xff\xfe"],
    ids=["empty", "binary", "truncated-map", "reserved-byte", "json", "short-array", "bad-utf8"],
)
def test_garbage_raises_a_value_error_naming_the_serializer(data):
    with pytest.raises(MsgpackDecodeError) as info:
        SERIALIZER.loadb(data)
    err = info.value
    assert isinstance(err, ValueError)
    assert isinstance(err, BaseJobifyError)
    assert isinstance(err.__cause__, ValueError)
    text = str(err)
    assert text.startswith("MsgpackSerializer.loadb(): cannot decode ")
    assert repr(data[:8])[:-1] in text
    assert "read it with the serializer that stored it" in text
    assert ".." not in text.replace("...", "")


def test_non_str_keys_are_refused_by_default_with_the_option_to_allow_them():
    data = MsgpackSerializer().dumpb({1: "a"})
    with pytest.raises(MsgpackDecodeError, match="int is not allowed for map key"):
        SERIALIZER.loadb(data)
    assert MsgpackSerializer(strict_map_key=False).loadb(data) == {1: "a"}


def test_limits_apply():
    data = SERIALIZER.dumpb("x" * 100)
    with pytest.raises(MsgpackDecodeError, match=r"exceeds max_str_len\(10\)"):
        MsgpackSerializer(max_str_len=10).loadb(data)


def test_a_hook_that_refuses_becomes_the_plugin_error():
    def refuse(obj):
        raise ValueError("no maps here")

    with pytest.raises(MsgpackDecodeError, match="no maps here"):
        MsgpackSerializer(object_hook=refuse).loadb(SERIALIZER.dumpb({"a": 1}))


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
def test_any_bytes_either_decode_or_raise_the_plugin_error(data):
    for serializer in FUZZED:
        with contextlib.suppress(MsgpackDecodeError):
            serializer.loadb(data)


def test_a_timestamp_outside_datetimes_range_is_a_decode_error():
    serializer = MsgpackSerializer(datetime=True, timestamp=3)
    data = serializer.dumpb(datetime(1, 1, 1, tzinfo=timezone(timedelta(minutes=1))))
    with pytest.raises(MsgpackDecodeError, match="OverflowError: date value out of range"):
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
