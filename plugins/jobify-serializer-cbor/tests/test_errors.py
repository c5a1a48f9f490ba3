"""Bad bytes and bad options fail with errors that name the serializer and the fix."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobify.exceptions import BaseJobifyError
from jobify_serializer_cbor import CBORSerializer, CBORSerializerDecodeError

SERIALIZER = CBORSerializer()


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\x00garbage\xfe", b"\x81", b"\xc1", b"\xa1", b"\x62\xff\xfe", b"\x9f\x01"],
    ids=[
        "empty",
        "break-code",
        "truncated-array",
        "truncated-tag",
        "truncated-map",
        "bad-utf8",
        "open-indefinite",
    ],
)
def test_garbage_raises_a_value_error_naming_the_serializer(data):
    with pytest.raises(CBORSerializerDecodeError) as info:
        SERIALIZER.loadb(data)
    err = info.value
    assert isinstance(err, ValueError)
    assert isinstance(err, BaseJobifyError)
    assert isinstance(err, cbor2.CBORDecodeError)  # what 0.14 raises: its `except` clauses match
    assert isinstance(err.__cause__, cbor2.CBORDecodeError)
    text = str(err)
    assert text.startswith("CBORSerializer.loadb(): cannot decode ")
    assert repr(data[:8])[:-1] in text
    assert "read it with the serializer that stored it" in text


def test_cbor2s_own_error_is_not_a_value_error_which_is_why_it_is_wrapped():
    with pytest.raises(cbor2.CBORDecodeError) as info:
        cbor2.loads(b"\xff")
    assert not isinstance(info.value, ValueError)


def test_nesting_limit_applies():
    data = SERIALIZER.dumpb([[[[[1]]]]])
    with pytest.raises(CBORSerializerDecodeError, match=r"nesting depth \(3\) exceeded"):
        CBORSerializer(max_depth=3).loadb(data)


def test_indefinite_containers_can_be_refused():
    data = CBORSerializer(indefinite_containers=True).dumpb([1, 2])
    assert SERIALIZER.loadb(data) == [1, 2]
    with pytest.raises(CBORSerializerDecodeError, match="indefinite"):
        CBORSerializer(allow_indefinite=False).loadb(data)


def test_invalid_utf8_can_be_replaced():
    assert CBORSerializer(str_errors="replace").loadb(b"\x62\xff\xfe") == "\ufffd\ufffd"


def test_object_hook_takes_the_cbor2_6_signature_and_a_wrong_one_shows_the_cause():
    hooked = CBORSerializer(object_hook=lambda mapping, immutable: ("hooked", dict(mapping)))
    assert hooked.loadb(SERIALIZER.dumpb({"a": 1})) == ("hooked", {"a": 1})

    def one_argument(mapping):
        return mapping

    with pytest.raises(CBORSerializerDecodeError, match=r"TypeError: .*positional argument"):
        CBORSerializer(object_hook=one_argument).loadb(SERIALIZER.dumpb({"a": 1}))


def test_tag_hook_and_semantic_decoders_take_the_cbor2_6_signatures():
    data = cbor2.dumps(cbor2.CBORTag(4000, "x"))
    assert SERIALIZER.loadb(data) == cbor2.CBORTag(4000, "x")
    tagged = CBORSerializer(tag_hook=lambda tag, immutable: (tag.tag, tag.value))
    assert tagged.loadb(data) == (4000, "x")
    decoded = CBORSerializer(semantic_decoders={4000: lambda value, immutable: value * 2})
    assert decoded.loadb(data) == "xx"


@given(st.binary())
def test_any_bytes_either_decode_or_raise_the_plugin_error(data):
    with contextlib.suppress(CBORSerializerDecodeError):
        SERIALIZER.loadb(data)


def test_trailing_bytes_after_one_item_are_ignored_as_cbor2_does():
    assert SERIALIZER.loadb(SERIALIZER.dumpb({"v": 1}) + b"\x00junk") == {"v": 1}


def test_unencodable_values_raise_cbor2_errors():
    with pytest.raises(cbor2.CBOREncodeError, match="cannot encode type"):
        SERIALIZER.dumpb({"x": object()})
    with pytest.raises(cbor2.CBOREncodeError, match="naive datetime"):
        SERIALIZER.dumpb(datetime(2030, 1, 1))


def test_encoders_and_default_hooks_take_the_encoder_first():
    class Point:
        def __init__(self, x):
            self.x = x

    by_type = CBORSerializer(encoders={Point: lambda encoder, p: encoder.encode(["pt", p.x])})
    assert by_type.loadb(by_type.dumpb(Point(3))) == ["pt", 3]
    fallback = CBORSerializer(default=lambda encoder, value: encoder.encode(repr(type(value))))
    assert "Point" in fallback.loadb(fallback.dumpb(Point(3)))


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        (
            {"timezone": "Mars/Base"},
            ValueError,
            r"CBORSerializer\(timezone='Mars/Base'\): unknown time zone.*IANA",
        ),
        ({"timezone": 5}, TypeError, r"timezone=5\): expected a tzinfo"),
        ({"canonical": "x"}, TypeError, r"CBORSerializer\(canonical='x'\): expected True or False"),
        ({"immutable": 1}, TypeError, r"immutable=1"),
        ({"max_depth": 0}, ValueError, r"max_depth=0\): expected an int >= 1"),
        ({"max_depth": "9"}, TypeError, r"max_depth='9'\): expected an int"),
        (
            {"str_errors": "error"},
            ValueError,
            r"str_errors='error'\).*use one of 'strict', 'replace'",
        ),
        ({"str_errors": None}, TypeError, r"str_errors=None"),
        ({"encoders": {int: 5}}, TypeError, r"expected type keys and callable values"),
        ({"encoders": [int]}, TypeError, r"expected a mapping"),
        ({"semantic_decoders": {"1": print}}, TypeError, r"expected int keys"),
        ({"default": 1}, TypeError, r"default=1\): expected a callable"),
        ({"tag_hook": "x"}, TypeError, r"tag_hook='x'\): expected a callable"),
    ],
)
def test_bad_options_fail_in_the_constructor(options, error, match):
    with pytest.raises(error, match=match):
        CBORSerializer(**options)


def test_timezone_names_are_accepted():
    assert CBORSerializer(timezone="utc").timezone is UTC
    assert str(CBORSerializer(timezone="Asia/Tokyo").timezone) == "Asia/Tokyo"


def test_only_options_that_differ_from_cbor2s_defaults_are_passed():
    plain = CBORSerializer(max_depth=400, str_errors="strict")
    assert plain._dumps is cbor2.dumps
    assert plain._loads is cbor2.loads
    tuned = CBORSerializer(timezone=UTC, immutable=True)
    assert tuned._dumps.keywords == {"timezone": UTC}
    assert tuned._loads.keywords == {"immutable": True}


def test_options_are_frozen():
    with pytest.raises(AttributeError):
        SERIALIZER.canonical = True
