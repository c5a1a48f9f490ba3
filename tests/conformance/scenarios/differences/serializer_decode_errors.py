"""Bytes UnsafePickleSerializer / CBORSerializer cannot decode: a ValueError that is also the library's error (ours) or the library's error alone (0.14)."""

import pickle
from typing import Any

import cbor2
from harness import exc, report

from jobify.serializers import CBORSerializer, UnsafePickleSerializer


def load(serializer: Any, data: bytes, library_error: type[Exception]) -> dict[str, Any]:
    """What loadb raises, and whether the except clauses an app may have written catch it."""
    try:
        serializer.loadb(data)
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return {
            "raised": exc(error),
            "caught_by_library_clause": isinstance(error, library_error),
        }
    return {"raised": None}


pickle_empty = load(UnsafePickleSerializer(), b"", Exception)
pickle_garbage = load(UnsafePickleSerializer(), b"\x00garbage", pickle.UnpicklingError)
cbor_garbage = load(CBORSerializer(), b"\xc1\xff\x00", cbor2.CBORDecodeError)
report(
    {
        "pickle_empty": pickle_empty["raised"],
        "pickle_garbage": pickle_garbage["raised"],
        "pickle_garbage_caught_by_unpicklingerror": pickle_garbage["caught_by_library_clause"],
        "cbor_garbage": cbor_garbage["raised"],
        "cbor_garbage_caught_by_cbordecodeerror": cbor_garbage["caught_by_library_clause"],
    }
)
