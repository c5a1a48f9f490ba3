"""UnsafePickleSerializer: anything picklable round-trips; bad bytes raise SerializerError."""

from __future__ import annotations

import collections
import fractions
import pickle
import re
from datetime import UTC, datetime

import pytest

from jobify.exceptions import BaseJobifyError
from jobify_serializer_json import PickleDecodeError, UnsafePickleSerializer

SERIALIZER = UnsafePickleSerializer()


def test_round_trips_what_json_cannot():
    value = {
        "when": datetime(2030, 1, 1, tzinfo=UTC),
        "ratio": fractions.Fraction(1, 3),
        "counts": collections.Counter("hello"),
        (1, 2): {3, 4},
    }
    got = SERIALIZER.loadb(SERIALIZER.dumpb(value))
    assert got == value
    assert type(got["counts"]) is collections.Counter


def test_uses_the_highest_protocol():
    assert SERIALIZER.dumpb(1)[:2] == bytes([0x80, pickle.HIGHEST_PROTOCOL])


def test_docstring_says_why_it_is_never_a_default():
    doc = UnsafePickleSerializer.__doc__
    assert "never a default" in doc
    assert "arbitrary code" in doc


class _Runs:
    def __reduce__(self):
        return (print, ("code ran while loading",))


def test_loading_runs_code_named_by_the_data(capsys):
    # why the class is "unsafe": whoever writes the bytes chooses what runs
    SERIALIZER.loadb(SERIALIZER.dumpb(_Runs()))
    assert capsys.readouterr().out == "code ran while loading\n"


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        (b"", EOFError),
        (b"\xff\x00garbage", pickle.UnpicklingError),
        (b'{"v": 1}', pickle.UnpicklingError),
        (b"cno_such_module_xyz\nThing\n.", ModuleNotFoundError),
        (b"cjobify_serializer_json\nNoSuchClass\n.", AttributeError),
    ],
    ids=["empty", "garbage", "json", "missing-module", "missing-class"],
)
def test_bad_bytes_raise_pickle_decode_error(data, cause):
    with pytest.raises(PickleDecodeError) as info:
        SERIALIZER.loadb(data)
    # a ValueError like every serializer's, and what 0.14 raises for garbage
    assert isinstance(info.value, ValueError) and isinstance(info.value, BaseJobifyError)
    assert isinstance(info.value, pickle.UnpicklingError)
    assert isinstance(info.value.__cause__, cause)
    assert str(info.value).startswith(
        f"UnsafePickleSerializer.loadb(): cannot unpickle {data[:10]!r}"[:-1]
    )
    assert "renamed or removed" in str(info.value)


MODULE_LAMBDA = lambda: 1  # noqa: E731 - a lambda pickle looks up by name, and fails to find


def test_unpicklable_values_raise_what_pickle_raises_with_the_fix():
    # pickle's own errors (0.14 lets them through), each with a note that says what to do
    with pytest.raises(pickle.PicklingError) as info:
        SERIALIZER.dumpb(MODULE_LAMBDA)
    note = info.value.__notes__[0]
    assert re.search(r"UnsafePickleSerializer.dumpb\(\): cannot pickle .*not lambdas", note)
    with pytest.raises(AttributeError, match="Can't pickle local object") as local:
        SERIALIZER.dumpb({"f": lambda: 1})
    assert "not lambdas, local objects" in local.value.__notes__[0]


def test_not_bytes_is_a_type_error():
    with pytest.raises(TypeError, match="expected bytes, got int"):
        SERIALIZER.loadb(5)
