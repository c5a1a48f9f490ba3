"""Thread and process pools for jobify's ``RunMode.THREAD`` and ``RunMode.PROCESS``.

``make_thread_pool`` and ``make_process_pool`` are the factories registered as
``thread`` and ``process``; the process pool is a :class:`ResilientProcessPool`,
which survives a worker process that dies.

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_executor_pools._hooks``, does not import ``multiprocessing``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_executor_pools.pools import ResilientProcessPool as ResilientProcessPool
    from jobify_executor_pools.pools import UnpicklableTaskError as UnpicklableTaskError
    from jobify_executor_pools.pools import WorkerDiedError as WorkerDiedError
    from jobify_executor_pools.pools import make_process_pool as make_process_pool
    from jobify_executor_pools.pools import make_thread_pool as make_thread_pool

__all__ = (
    "ResilientProcessPool",
    "UnpicklableTaskError",
    "WorkerDiedError",
    "make_process_pool",
    "make_thread_pool",
)


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("jobify_executor_pools.pools"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
