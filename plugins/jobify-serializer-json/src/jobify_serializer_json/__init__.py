"""jobify's serializers from the standard library: JSON, extended JSON and pickle.

* :class:`JSONSerializer` (``json``, the default): JSON values, compact UTF-8.
* :class:`ExtendedJSONSerializer` (``json-extended``): JSON plus datetimes,
  decimals, UUIDs, sets, tuples, bytes, enums, dataclasses and NamedTuples.
* :class:`UnsafePickleSerializer` (``pickle-unsafe``): anything picklable;
  never use it on data an attacker can write.

All three are also importable from ``jobify.serializers``. Bytes that cannot
be decoded raise the decoder's own error, as in jobify 0.14, with a note that
says what to do; :class:`PickleDecodeError` for a pickle (a ``ValueError``).

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_serializer_json._hooks``, imports none of the serializer modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from jobify_serializer_json.errors import PickleDecodeError as PickleDecodeError
    from jobify_serializer_json.extended import ExtendedJSONSerializer as ExtendedJSONSerializer
    from jobify_serializer_json.serializer import JSONSerializer as JSONSerializer
    from jobify_serializer_json.unsafe_pickle import (
        UnsafePickleSerializer as UnsafePickleSerializer,
    )

__all__ = (
    "ExtendedJSONSerializer",
    "JSONSerializer",
    "PickleDecodeError",
    "UnsafePickleSerializer",
)

_MODULES: Final = {
    "ExtendedJSONSerializer": "jobify_serializer_json.extended",
    "JSONSerializer": "jobify_serializer_json.serializer",
    "PickleDecodeError": "jobify_serializer_json.errors",
    "UnsafePickleSerializer": "jobify_serializer_json.unsafe_pickle",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
