"""Bad bytes fail with orjson's JSONDecodeError (as in 0.14) plus a note; bad options name the fix."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobify_serializer_orjson import OrjsonSerializer

SERIALIZER = OrjsonSerializer()


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\x00garbage\xfe", b"{", b'{"a": }', b"\x81\xa1a\x01", b"[1, 2] trailing", b"nul"],
    ids=["empty", "binary", "open-brace", "bad-value", "msgpack", "trailing", "truncated"],
)
def test_garbage_raises_orjsons_error_with_a_note_naming_the_serializer(data):
    with pytest.raises(orjson.JSONDecodeError) as info:  # a ValueError, as 0.14 lets it through
        SERIALIZER.loadb(data)
    assert isinstance(info.value, ValueError)
    (note,) = info.value.__notes__
    assert note.startswith("OrjsonSerializer.loadb(): cannot decode ")
    assert repr(data[:10])[:-1] in note
    assert "read it with the serializer that stored it" in note


def test_long_input_is_shown_shortened():
    with pytest.raises(orjson.JSONDecodeError) as info:
        SERIALIZER.loadb(b"\x00" * 1000)
    assert "... (1000 bytes)" in info.value.__notes__[0]


@given(st.binary())
def test_any_bytes_either_decode_or_raise_with_the_note(data):
    try:
        SERIALIZER.loadb(data)
    except orjson.JSONDecodeError as exc:
        assert exc.__notes__[0].startswith("OrjsonSerializer.loadb(): cannot decode")  # noqa: PT017


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
