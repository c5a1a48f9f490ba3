"""Typed task arguments for jobify, converted by an adaptix ``Retort``.

:class:`AdaptixConverter` is registered as the type adapter ``adaptix``. It
dumps each argument of a durable job to plain data according to its
annotation and loads it back into that type when the job is restored.

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_typeadapter_adaptix._hooks``, does not import adaptix.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_typeadapter_adaptix.converter import AdaptixConverter as AdaptixConverter

__all__ = ("AdaptixConverter",)


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("jobify_typeadapter_adaptix.converter"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
