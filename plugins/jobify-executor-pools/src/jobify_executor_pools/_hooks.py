"""Hook implementations of jobify-executor-pools: the ``thread`` and ``process`` pools.

Only ``jobify.hookspecs`` is imported here; the pools module (and with it
``concurrent.futures.process`` and ``multiprocessing``) is imported when an app
first needs a pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobify.hookspecs import hookimpl

if TYPE_CHECKING:
    from jobify.executors import Executor
    from jobify.hookspecs import Register

__all__ = ("jobify_register_executors",)

JOBIFY_CONTRACT_TESTS = "tests/test_contract.py"
"""Where this distribution runs its capability's suite from ``jobify.testing.contracts``."""


@hookimpl
def jobify_register_executors(register: Register[Executor]) -> None:
    """Offer ``[jobify.executors.thread]`` and ``[jobify.executors.process]``."""
    register("thread", "jobify_executor_pools.pools:make_thread_pool")
    register("process", "jobify_executor_pools.pools:make_process_pool")
