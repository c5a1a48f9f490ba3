"""The type adapter contract: typed task arguments to plain data and back.

A dumper turns a value annotated ``tp`` into JSON-compatible data before the
serializer runs; a loader turns it back into ``tp`` when a stored job is
restored. Without a type adapter plugin the kernel passes values through
unchanged. ``PydanticConverter`` comes from ``jobify-typeadapter-pydantic``.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Protocol, TypeVar

from jobify._assembly.seed import seed_getattr, seed_names

__all__ = ("Dumper", "Loader", *seed_names(__name__))  # seed names resolve lazily

T = TypeVar("T")


class Dumper(Protocol):
    """Interface for dumping objects into a serializable format."""

    @abstractmethod
    def dump(self, data: Any, tp: Any, /) -> Any:
        """Return ``data``, annotated as ``tp``, as JSON-compatible data."""


class Loader(Protocol):
    """Interface for loading data into typed objects."""

    @abstractmethod
    def load(self, data: Any, tp: type[T], /) -> T:
        """Return ``data`` converted to ``tp``."""


class IdentityAdapter(Dumper, Loader):
    """The kernel's fallback adapter: values pass through unchanged."""

    __slots__ = ()

    def dump(self, data: Any, tp: Any, /) -> Any:
        """Return ``data`` as it is."""
        return data

    def load(self, data: Any, tp: type[T], /) -> T:
        """Return ``data`` as it is."""
        return data  # type: ignore[no-any-return]


def __getattr__(name: str) -> Any:
    return seed_getattr(__name__, name)
