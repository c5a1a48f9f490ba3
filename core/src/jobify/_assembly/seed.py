"""The reference's import paths of first-party plugin classes, resolved lazily.

This table is the kernel's only mention of first-party distributions: the
public API fixes paths such as ``from jobify.storage import SQLiteStorage``
while the code lives in a plugin distribution. Each contract module's PEP 562
``__getattr__`` looks names up here and imports the plugin on first use; when
the distribution is missing the ``ImportError`` names it and the install
command.
"""

from __future__ import annotations

import importlib
from typing import Any, Final

__all__ = ("SEED", "seed_getattr")

SEED: Final[dict[tuple[str, str], tuple[str, str, str]]] = {
    # (public module, name): (distribution, extra, "module:attr")
    ("jobify.storage", "SQLiteStorage"): (
        "jobify-storage-sqlite", "", "jobify_storage_sqlite:SQLiteStorage"),
    ("jobify.serializers", "JSONSerializer"): (
        "jobify-serializer-json", "", "jobify_serializer_json:JSONSerializer"),
    ("jobify.serializers", "ExtendedJSONSerializer"): (
        "jobify-serializer-json", "", "jobify_serializer_json:ExtendedJSONSerializer"),
    ("jobify.serializers", "UnsafePickleSerializer"): (
        "jobify-serializer-json", "", "jobify_serializer_json:UnsafePickleSerializer"),
    ("jobify.serializers", "OrjsonSerializer"): (
        "jobify-serializer-orjson", "orjson", "jobify_serializer_orjson:OrjsonSerializer"),
    ("jobify.serializers", "MsgpackSerializer"): (
        "jobify-serializer-msgpack", "msgpack", "jobify_serializer_msgpack:MsgpackSerializer"),
    ("jobify.serializers", "CBORSerializer"): (
        "jobify-serializer-cbor", "cbor2", "jobify_serializer_cbor:CBORSerializer"),
    ("jobify.typeadapter", "PydanticConverter"): (
        "jobify-typeadapter-pydantic", "pydantic", "jobify_typeadapter_pydantic:PydanticConverter"),
    ("jobify.crontab", "create_crontab"): (
        "jobify-cron-croniter", "", "jobify_cron_croniter:create_crontab"),
    ("jobify.crontab", "CronTab"): (
        "jobify-cron-croniter", "", "jobify_cron_croniter:CronTab"),
    ("jobify.middleware", "QueueMiddleware"): (
        "jobify-queue", "queue", "jobify_queue:QueueMiddleware"),
    ("jobify.middleware", "JobifyQueue"): (
        "jobify-queue", "queue", "jobify_queue:JobifyQueue"),
    ("jobify.middleware", "Item"): (
        "jobify-queue", "queue", "jobify_queue:Item"),
}  # fmt: skip


def seed_getattr(module: str, name: str) -> Any:
    """Resolve ``module.name`` through :data:`SEED`, as a module ``__getattr__`` would."""
    row = SEED.get((module, name))
    if row is None:
        msg = f"module {module!r} has no attribute {name!r}"
        raise AttributeError(msg)
    dist, extra, target = row
    mod_name, _, attr = target.partition(":")
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as exc:
        if exc.name != mod_name:
            raise
        hint = f"pip install {dist}" + (f'   (or: pip install "jobify[{extra}]")' if extra else "")
        msg = f"{name} ships in {dist}, which is not installed:\n  {hint}"
        raise ImportError(msg, name=mod_name) from None
    return getattr(mod, attr)


# The distribution to suggest when a capability has no implementation at all.
DEFAULT_DISTRIBUTIONS: Final[dict[str, str]] = {
    "storage": "jobify-storage-sqlite",
    "serializer": "jobify-serializer-json",
    "cron": "jobify-cron-croniter",
    "executor": "jobify-executor-pools",
}


def install_hint(capability: str) -> str:
    """``pip install <distribution>`` for the default implementation of ``capability``."""
    dist = DEFAULT_DISTRIBUTIONS.get(capability)
    return f"pip install {dist}" if dist else "install a plugin distribution that provides it"


def seed_names(module: str) -> tuple[str, ...]:
    """The lazily resolved names of ``module``, for its ``__all__``."""
    return tuple(sorted(name for mod, name in SEED if mod == module))
