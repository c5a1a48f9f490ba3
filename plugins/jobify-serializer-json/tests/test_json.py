"""JSONSerializer: compact UTF-8 JSON, clear errors, and the reference's bytes still read."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobify_serializer_json import JSONSerializer

SERIALIZER = JSONSerializer()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**256), max_value=2**256)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=30,
)


@given(json_values)
def test_json_values_round_trip(value):
    data = SERIALIZER.dumpb(value)
    assert isinstance(data, bytes)
    assert SERIALIZER.loadb(data) == value


@given(json_values)
def test_output_is_standard_compact_utf8_json(value):
    data = SERIALIZER.dumpb(value)
    assert json.loads(data.decode("utf-8")) == value
    assert data == json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@given(st.lists(json_values, max_size=4))
def test_tuples_come_back_as_lists(items):
    assert SERIALIZER.loadb(SERIALIZER.dumpb(tuple(items))) == items


def test_compact_and_not_ascii_escaped():
    assert SERIALIZER.dumpb({"a": [1, 2], "b": "ü🙂"}) == '{"a":[1,2],"b":"ü🙂"}'.encode()


def test_lone_surrogates_round_trip():
    value = {"s": "broken \ud800 pair"}
    assert SERIALIZER.loadb(SERIALIZER.dumpb(value)) == value


def test_reads_what_the_reference_wrote():
    # jobify 0.14's JSONSerializer: default separators, ASCII escapes
    assert SERIALIZER.loadb(b'{"a": 1, "b": [1, 2], "u": "\\u00fc"}') == {
        "a": 1,
        "b": [1, 2],
        "u": "ü",
    }


def test_accepts_bytearray_and_memoryview():
    assert SERIALIZER.loadb(bytearray(b"[1]")) == [1]
    assert SERIALIZER.loadb(memoryview(b"[2]")) == [2]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\x00garbage\xfe",
        b"{",
        b'{"a": }',
        b"[1, 2] trailing",
        b"\x80\x05K\x01.",
        b"[" * 100_000,
    ],
    ids=["empty", "binary", "open-brace", "bad-value", "trailing", "pickle", "too-deep"],
)
def test_garbage_raises_the_decoders_error_with_a_note_naming_the_serializer(data):
    # the decoder's own error, as jobify 0.14 lets it through, so `except` clauses match
    with pytest.raises((json.JSONDecodeError, UnicodeDecodeError, RecursionError)) as info:
        SERIALIZER.loadb(data)
    (note,) = info.value.__notes__
    assert note.startswith("JSONSerializer.loadb(): cannot decode ")
    assert repr(data[:10])[:-1] in note
    assert "read it with the serializer that stored it" in note


def test_garbage_raises_what_json_loads_raises():
    for data in (b"", b"\xff\x00garbage\xfe", b'{"a": '):
        with pytest.raises(json.JSONDecodeError) as ours:
            SERIALIZER.loadb(data)
        with pytest.raises(json.JSONDecodeError) as stdlib:
            json.loads(data)
        assert str(ours.value) == str(stdlib.value)


def test_long_input_is_shown_shortened():
    with pytest.raises(ValueError) as info:  # noqa: PT011 - the note is the point
        SERIALIZER.loadb(b"\x00" * 1000)
    assert r"... (1000 bytes) as JSON" in info.value.__notes__[0]


@given(st.binary())
def test_any_bytes_either_decode_or_raise_with_the_note(data):
    try:
        SERIALIZER.loadb(data)
    except (ValueError, RecursionError) as exc:
        assert exc.__notes__[0].startswith("JSONSerializer.loadb(): cannot decode")  # noqa: PT017


def test_str_is_read_as_json_loads_reads_it():
    assert SERIALIZER.loadb('{"a": [1, "\u00fc"]}') == {"a": [1, "ü"]}


def test_neither_bytes_nor_str_is_a_type_error():
    with pytest.raises(
        TypeError, match=r"JSONSerializer.loadb\(\): expected bytes \(or str\), got int 5"
    ):
        SERIALIZER.loadb(5)  # type: ignore[arg-type]


def test_unencodable_value_says_what_to_use_instead():
    with pytest.raises(
        TypeError, match=r"Object of type date is not JSON serializable\. .*json-extended"
    ):
        SERIALIZER.dumpb({"x": date(2030, 1, 1)})


def test_a_value_containing_itself():
    loop = []
    loop.append(loop)
    with pytest.raises(
        ValueError, match="Circular reference detected; a value that contains itself"
    ):
        SERIALIZER.dumpb(loop)


def test_shared_between_threads():
    results = []

    def work(n):
        results.append(
            all(
                SERIALIZER.loadb(SERIALIZER.dumpb({"n": n, "i": i})) == {"n": n, "i": i}
                for i in range(500)
            )
        )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 4
    assert repr(SERIALIZER) == "JSONSerializer()"
