"""Bad bytes and bad options fail with errors that name the serializer and the fix."""

from __future__ import annotations

import contextlib

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobify.exceptions import BaseJobifyError
from jobify_serializer_orjson import OrjsonDecodeError, OrjsonSerializer

SERIALIZER = OrjsonSerializer()


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\x00garbage\xfe", b"{", b'{"a": }', b"\x81\xa1a\x01", b"[1, 2] trailing", b"nul"],
    ids=["empty", "binary", "open-brace", "bad-value", "msgpack", "trailing", "truncated"],
)
def test_garbage_raises_a_value_error_naming_the_serializer(data):
    with pytest.raises(OrjsonDecodeError) as info:
        SERIALIZER.loadb(data)
    err = info.value
    assert isinstance(err, ValueError)
    assert isinstance(err, BaseJobifyError)
    assert isinstance(err.__cause__, orjson.JSONDecodeError)
    text = str(err)
    assert text.startswith("OrjsonSerializer.loadb(): cannot decode ")
    assert repr(data[:10])[:-1] in text
    assert "read it with the serializer that stored it" in text


def test_long_input_is_shown_shortened():
    data = b"\x00" * 1000
    with pytest.raises(OrjsonDecodeError, match=r"\.\.\. \(1000 bytes\)"):
        SERIALIZER.loadb(data)


@given(st.binary())
def test_any_bytes_either_decode_or_raise_the_plugin_error(data):
    with contextlib.suppress(OrjsonDecodeError):
        SERIALIZER.loadb(data)


def test_unencodable_value_raises_type_error():
    with pytest.raises(TypeError, match="not JSON serializable"):
        SERIALIZER.dumpb({"x": object()})


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"option": "SORT_KYES"}, ValueError, r"option='SORT_KYES'.*Did you mean 'SORT_KEYS'"),
        ({"option": True}, TypeError, r"OrjsonSerializer\(option=True\): expected"),
        ({"option": 1 << 40}, ValueError, r"bits that are not orjson\.OPT_\* flags"),
        ({"option": [1]}, TypeError, r"expected an int or orjson flag names"),
        ({"option": 1.5}, TypeError, r"option=1.5\): expected an int or orjson flag names"),
        ({"default": 5}, TypeError, r"OrjsonSerializer\(default=5\): expected a callable"),
    ],
)
def test_bad_options_fail_in_the_constructor(options, error, match):
    with pytest.raises(error, match=match):
        OrjsonSerializer(**options)


def test_option_names_are_accepted_in_any_case_with_or_without_prefix():
    assert OrjsonSerializer(option=["sort_keys", "OPT_NAIVE_UTC"]).option == (
        orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC
    )
    assert OrjsonSerializer(option="INDENT_2").option == orjson.OPT_INDENT_2


def test_options_are_frozen():
    serializer = OrjsonSerializer()
    with pytest.raises(AttributeError):
        serializer.option = orjson.OPT_SORT_KEYS
