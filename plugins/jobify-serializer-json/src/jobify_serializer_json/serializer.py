"""``JSONSerializer``: job messages as compact UTF-8 JSON, with the standard library.

The kernel hands the serializer plain data (dicts, lists, strings, numbers,
booleans, None), so the stdlib ``json`` module is enough and the stored bytes
stay readable by any tool. The encoder is built once (``json.dumps`` with
options would build one per call); separators are compact and non-ASCII text
is written as UTF-8 rather than ASCII escapes, so messages are small.
"""

from __future__ import annotations

import json
from typing import Any, Final

from jobify.serializers import Serializer
from jobify_serializer_json.errors import explain, json_text, preview

__all__ = ("JSONSerializer",)

# lone surrogates (valid in a Python str, not in UTF-8) pass through both ways
_ERRORS: Final = "surrogatepass"
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_DECODER: Final = json.JSONDecoder()


class JSONSerializer(Serializer):
    """Encode job messages as compact UTF-8 JSON (the default serializer).

    Round-trips ``None``, ``bool``, ``int``, ``float``, ``str``, ``list`` and
    ``dict`` with ``str`` keys; tuples come back as lists. For richer types
    use :class:`~jobify_serializer_json.ExtendedJSONSerializer` or a type
    adapter. It has no options and is safe to share between threads.
    """

    __slots__ = ()

    def __init__(self) -> None:  # no options; an explicit signature lets config name them
        pass

    def __repr__(self) -> str:
        return "JSONSerializer()"

    def dumpb(self, data: Any) -> bytes:
        """Encode ``data`` as UTF-8 JSON bytes.

        Raises:
            TypeError: ``data`` holds a value JSON cannot represent.
            ValueError: ``data`` contains itself.
        """
        try:
            return _ENCODER.encode(data).encode("utf-8", _ERRORS)
        except TypeError as exc:
            msg = (
                f"JSONSerializer.dumpb(): {exc}. JSONSerializer writes only JSON values; "
                'use [jobify.serializer] use = "json-extended" (ExtendedJSONSerializer) '
                "or a type adapter for other types"
            )
            raise TypeError(msg) from exc
        except ValueError as exc:
            msg = f"JSONSerializer.dumpb(): {exc}; a value that contains itself cannot be stored"
            raise ValueError(msg) from exc

    def loadb(self, data: bytes) -> Any:
        """Decode JSON made by :meth:`dumpb` (bytes, or a ``str``, as ``json.loads`` takes).

        Raises:
            json.JSONDecodeError: ``data`` is not JSON (``UnicodeDecodeError``
                if its bytes are not text), as ``json.loads`` raises and jobify
                0.14 lets through; a note says what to do.
            TypeError: ``data`` is neither bytes nor ``str``.
        """
        try:
            return _DECODER.decode(json_text(data, "JSONSerializer.loadb()"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            explain(
                exc,
                f"JSONSerializer.loadb(): cannot decode {preview(data)} as JSON. It was not "
                "written by JSONSerializer.dumpb (another serializer wrote it, or it is "
                "corrupt): read it with the serializer that stored it",
            )
            raise
