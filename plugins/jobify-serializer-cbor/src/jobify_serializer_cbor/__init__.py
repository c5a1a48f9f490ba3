"""The CBOR serializer for jobify: stored job messages in CBOR (RFC 8949), by cbor2.

:class:`CBORSerializer` is registered as ``cbor`` and is also importable as
``from jobify.serializers import CBORSerializer``. Bytes that are not CBOR
raise :class:`CBORSerializerDecodeError` (a ``ValueError``).

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_serializer_cbor._hooks``, does not import cbor2.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_serializer_cbor.serializer import CBORSerializer as CBORSerializer
    from jobify_serializer_cbor.serializer import (
        CBORSerializerDecodeError as CBORSerializerDecodeError,
    )

__all__ = ("CBORSerializer", "CBORSerializerDecodeError")


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("jobify_serializer_cbor.serializer"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
