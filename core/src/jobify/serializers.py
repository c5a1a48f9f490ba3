"""The serializer contract: job messages to bytes and back.

A serializer plugin distribution implements :class:`Serializer` and registers
it with ``jobify_register_serializers``. The first-party serializers are
importable from here when their distribution is installed
(``JSONSerializer``, ``ExtendedJSONSerializer`` and ``UnsafePickleSerializer``
from ``jobify-serializer-json``; ``OrjsonSerializer``, ``MsgpackSerializer``
and ``CBORSerializer`` from their own distributions).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from jobify._assembly.seed import seed_getattr, seed_names

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = (
    "HintAwareSerializer",
    "Serializer",
    "preview",
    *seed_names(__name__),  # seed names: lazily
)

_PREVIEW_LIMIT = 40
"""Characters (or bytes) of the data an error message of :func:`preview` shows."""


class Serializer(Protocol):
    """Interface for serializing and deserializing job messages."""

    @abstractmethod
    def dumpb(self, data: Any) -> bytes:
        """Encode ``data`` (JSON-compatible values after type adaptation) to bytes."""

    @abstractmethod
    def loadb(self, data: bytes) -> Any:
        """Decode bytes made by :meth:`dumpb`."""


@runtime_checkable
class HintAwareSerializer(Serializer, Protocol):
    """A serializer that learns classes (dataclasses, enums, ...) from type hints.

    Optional ability: when an app has no type adapter (no ``dumper``/``loader``),
    the kernel hands such a serializer the annotations of each task, once,
    when the task is declared, so that arguments of those classes are stored
    and rebuilt without registering them by hand (as jobify 0.14's default
    ``ExtendedJSONSerializer`` does).
    """

    @abstractmethod
    def register_hints(self, types: Iterable[Any]) -> None:
        """Learn the classes the type hints ``types`` mention; unknown hints are ignored."""


def preview(data: Any) -> str:
    """The start of ``data`` and, for bytes, their length: how a serializer's error names it.

    Shared by the serializer plugins, so that every ``loadb()``/``dumpb()``
    error shows what it could not read the same way:
    ``b'abc'... (1000 bytes)``.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        shown = repr(raw[:_PREVIEW_LIMIT]) + ("..." if len(raw) > _PREVIEW_LIMIT else "")
        return f"{shown} ({len(raw)} byte{'' if len(raw) == 1 else 's'})"
    text = repr(data)
    return text[:_PREVIEW_LIMIT] + ("..." if len(text) > _PREVIEW_LIMIT else "")


def __getattr__(name: str) -> Any:
    return seed_getattr(__name__, name)
