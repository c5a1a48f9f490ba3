"""``SerializerError``: bytes that a serializer of this distribution cannot decode."""

from __future__ import annotations

from typing import Any, Final

from jobify.exceptions import BaseJobifyError

__all__ = ("SerializerError",)

_PREVIEW: Final = 40


class SerializerError(BaseJobifyError, ValueError):
    """Bytes given to ``loadb`` cannot be decoded.

    The message names the serializer, shows the start of the bytes and says
    what to do; the decoder's own error is the ``__cause__``. The kernel sets
    a stored job whose message raises it aside instead of failing startup.
    """


def preview(data: Any) -> str:
    """Show the start of ``data`` and its length, for error messages."""
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        shown = repr(raw[:_PREVIEW]) + ("..." if len(raw) > _PREVIEW else "")
        return f"{shown} ({len(raw)} bytes)"
    text = repr(data)
    return text[:_PREVIEW] + ("..." if len(text) > _PREVIEW else "")


def as_bytes(data: Any, where: str) -> bytes:
    """Return ``data`` as ``bytes``, or raise ``TypeError`` naming ``where``."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    msg = f"{where}: expected bytes, got {type(data).__name__} {preview(data)}"
    raise TypeError(msg)
