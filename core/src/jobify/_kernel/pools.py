"""The pools behind ``RunMode.THREAD`` and ``RunMode.PROCESS``, built on first use."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from typing import Any

from jobify._assembly.seed import install_hint

__all__ = ("WorkerPools",)


class WorkerPools:
    """Thread and process pools: given instances, or built from executor plugins.

    A pool is built the first time a task needs it and shut down with the
    app; pools passed in by the user are left for the user to shut down.
    Without a ``thread`` executor plugin, sync tasks run on the event loop's
    default thread pool.
    """

    __slots__ = ("_factories", "_owned", "_process", "_thread")

    def __init__(
        self,
        *,
        factories: Mapping[str, Callable[[], Any]],
        thread: Any = None,
        process: Any = None,
    ) -> None:
        self._factories = dict(factories)
        self._thread = thread
        self._process = process
        self._owned: list[Any] = []

    def thread(self) -> Any:
        """The thread pool (None: the loop's default one)."""
        pool = self._thread
        if pool is None and "thread" in self._factories:
            pool = self._thread = self._factories["thread"]()
            self._owned.append(pool)
        return pool

    def process(self) -> Any:
        """The process pool."""
        pool = self._process
        if pool is None:
            pool = self._process = self._factories["process"]()
            self._owned.append(pool)
        return pool

    def require_process(self, task: str) -> None:
        """Fail at declaration when ``task`` wants processes but none can be had."""
        if self._process is None and "process" not in self._factories:
            msg = (
                f"task {task!r}: run_mode=PROCESS needs a process executor; install one "
                f"({install_hint('executor')}) or pass Jobify(processpool_executor=...)"
            )
            raise RuntimeError(msg)

    async def shutdown(self) -> None:
        """Shut down the pools this object built, without blocking the loop."""
        owned, self._owned = self._owned, []
        for pool in owned:
            if pool is self._thread:
                self._thread = None
            if pool is self._process:
                self._process = None
            await asyncio.to_thread(
                functools.partial(pool.shutdown, wait=True, cancel_futures=True)
            )
