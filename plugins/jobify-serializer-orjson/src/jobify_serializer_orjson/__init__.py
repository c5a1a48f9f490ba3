"""The orjson serializer for jobify: stored job messages as JSON, encoded by orjson.

:class:`OrjsonSerializer` is registered as ``orjson`` and is also importable as
``from jobify.serializers import OrjsonSerializer``. Bytes that are not JSON
raise orjson's ``JSONDecodeError`` (a ``ValueError``), as in jobify 0.14, with
a note that says what to do.

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_serializer_orjson._hooks``, does not import orjson.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_serializer_orjson.serializer import OrjsonSerializer as OrjsonSerializer

__all__ = ("OrjsonSerializer",)


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("jobify_serializer_orjson.serializer"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
