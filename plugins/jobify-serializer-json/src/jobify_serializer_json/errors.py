"""What the serializers of this distribution say when they cannot decode or encode.

The JSON serializers raise the decoder's own exception, as jobify 0.14 does
(``json.JSONDecodeError``, a ``ValueError``), so an ``except`` clause written
for 0.14 still catches it; :func:`explain` adds a note (PEP 678) naming the
serializer, showing the start of the data and saying what to do. The note
shows in the traceback, under the message.

``UnsafePickleSerializer.loadb`` raises :class:`PickleDecodeError` instead:
every serializer's ``loadb`` raises a ``ValueError`` for bytes it cannot
decode (the ``Serializer`` contract), and pickle's own errors are not all
``ValueError`` (``EOFError``, ``ModuleNotFoundError``, ...). It is also a
``pickle.UnpicklingError``, what 0.14 raises for bytes that are not a pickle.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

from jobify.exceptions import BaseJobifyError
from jobify.serializers import preview

__all__ = ("PickleDecodeError", "as_bytes", "explain", "json_text", "preview")


class PickleDecodeError(BaseJobifyError, pickle.UnpicklingError, ValueError):
    """``UnsafePickleSerializer.loadb`` cannot unpickle the bytes.

    A ``ValueError`` (as every serializer's ``loadb`` raises for bytes it
    cannot decode) and a ``pickle.UnpicklingError`` (as jobify 0.14 raises for
    bytes that are not a pickle). The message names the serializer, shows the
    start of the bytes and says what to do; pickle's own error is the
    ``__cause__``. The kernel sets a stored job whose message raises it aside
    instead of failing startup.
    """


def explain(error: BaseException, note: str) -> None:
    """Add ``note`` (where, what, the fix) to ``error``, which is then re-raised as it is."""
    error.add_note(note)


def as_bytes(data: Any, where: str) -> bytes:
    """Return ``data`` as ``bytes``, or raise ``TypeError`` naming ``where``."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    msg = f"{where}: expected bytes, got {type(data).__name__} {preview(data)}"
    raise TypeError(msg)


def json_text(data: Any, where: str) -> str:
    """The JSON text of ``data``, read as ``json.loads`` reads it.

    A ``str`` is taken as it is; bytes are decoded in the encoding
    ``json.detect_encoding`` finds (UTF-8 for what ``dumpb`` writes), lone
    surrogates kept, as ``json.loads`` does. Anything else is a ``TypeError``
    naming ``where``.
    """
    if isinstance(data, str):
        return data
    if type(data) is bytes and data.startswith(b'{"'):
        return data.decode("utf-8", "surrogatepass")  # what detect_encoding finds for it
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        return raw.decode(json.detect_encoding(raw), "surrogatepass")
    msg = f"{where}: expected bytes (or str), got {type(data).__name__} {preview(data)}"
    raise TypeError(msg)
