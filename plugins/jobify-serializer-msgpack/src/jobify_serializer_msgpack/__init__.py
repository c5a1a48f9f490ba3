"""The MessagePack serializer for jobify: stored job messages as compact binary.

:class:`MsgpackSerializer` is registered as ``msgpack`` and is also importable
as ``from jobify.serializers import MsgpackSerializer``. Bytes that are not
MessagePack raise msgpack's own ``ValueError`` (``FormatError``, ...), as in
jobify 0.14, with a note that says what to do.

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_serializer_msgpack._hooks``, does not import msgpack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_serializer_msgpack.serializer import MsgpackSerializer as MsgpackSerializer

__all__ = ("MsgpackSerializer",)


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("jobify_serializer_msgpack.serializer"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
