"""Typed task arguments for jobify, converted by pydantic.

:class:`PydanticConverter` is registered as the type adapter ``pydantic`` and
is also importable as ``from jobify.typeadapter import PydanticConverter``.
It dumps each argument of a durable job to JSON-compatible data according to
its annotation and validates it back into that type when the job is restored.

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_typeadapter_pydantic._hooks``, does not import pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_typeadapter_pydantic.converter import PydanticConverter as PydanticConverter

__all__ = ("PydanticConverter",)


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("jobify_typeadapter_pydantic.converter"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
