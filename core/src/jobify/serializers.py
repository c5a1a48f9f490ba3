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
from typing import Any, Protocol

from jobify._assembly.seed import seed_getattr, seed_names

__all__ = ("Serializer", *seed_names(__name__))  # seed names resolve lazily


class Serializer(Protocol):
    """Interface for serializing and deserializing job messages."""

    @abstractmethod
    def dumpb(self, data: Any) -> bytes:
        """Encode ``data`` (JSON-compatible values after type adaptation) to bytes."""

    @abstractmethod
    def loadb(self, data: bytes) -> Any:
        """Decode bytes made by :meth:`dumpb`."""


def __getattr__(name: str) -> Any:
    return seed_getattr(__name__, name)
