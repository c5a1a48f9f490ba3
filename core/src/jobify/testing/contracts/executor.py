"""The executor suite: thread and process pools run calls and can be interrupted."""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from jobify.executors import Executor, InterruptibleExecutor

if TYPE_CHECKING:
    pass

__all__ = ("ExecutorContract",)


class ExecutorContract:
    """What every executor (behind ``RunMode.THREAD`` / ``RunMode.PROCESS``) must do.

    Override ``make_executor``: a fixture returning a zero-argument callable that
    builds a new executor. The functions submitted are builtins, so process
    pools can run them too.
    """

    @pytest.fixture
    def make_executor(self) -> Callable[[], Executor]:
        """Return a factory of executors."""
        raise NotImplementedError("override the make_executor fixture")

    @pytest.fixture
    def executor(self, make_executor: Callable[[], Executor]) -> Iterator[Executor]:
        """One executor, shut down after the test."""
        pool = make_executor()
        yield pool
        pool.shutdown(wait=True)

    def test_runs_a_function(self, executor: Executor) -> None:
        assert executor.submit(pow, 2, 10).result(timeout=60) == 1024
        assert executor.submit(divmod, 17, 5).result(timeout=60) == (3, 2)

    def test_propagates_exceptions(self, executor: Executor) -> None:
        with pytest.raises(ZeroDivisionError):
            executor.submit(divmod, 1, 0).result(timeout=60)
        with pytest.raises(ValueError, match="invalid literal"):
            executor.submit(int, "not a number").result(timeout=60)
        assert executor.submit(pow, 3, 2).result(timeout=60) == 9  # still usable

    def test_many_submissions(self, executor: Executor) -> None:
        futures = [executor.submit(pow, 2, i) for i in range(64)]
        assert [f.result(timeout=60) for f in futures] == [2**i for i in range(64)]

    async def test_works_with_run_in_executor(self, executor: Executor) -> None:
        loop = asyncio.get_running_loop()
        run = functools.partial(loop.run_in_executor, executor)  # type: ignore[arg-type]
        assert await run(pow, 3, 4) == 81
        with pytest.raises(ZeroDivisionError):
            await run(divmod, 1, 0)

    def test_shutdown_leaves_no_workers(self, make_executor: Callable[[], Executor]) -> None:
        threads = set(threading.enumerate())
        children = set(multiprocessing.active_children())
        pool = make_executor()
        futures = [pool.submit(pow, 2, i) for i in range(8)]
        assert [f.result(timeout=60) for f in futures] == [2**i for i in range(8)]
        pool.shutdown(wait=True)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            extra_threads = [t for t in threading.enumerate() if t not in threads and t.is_alive()]
            extra_children = set(multiprocessing.active_children()) - children
            if not extra_threads and not extra_children:
                break
            time.sleep(0.01)
        assert not extra_threads, f"threads left after shutdown(wait=True): {extra_threads}"
        assert not extra_children, f"processes left after shutdown(wait=True): {extra_children}"

    def test_submit_after_shutdown_raises_runtime_error(
        self, make_executor: Callable[[], Executor]
    ) -> None:
        pool = make_executor()
        pool.shutdown(wait=True)
        with pytest.raises(RuntimeError):
            pool.submit(pow, 2, 2)

    def test_an_interruptible_executor_stops_a_running_call(self, executor: Executor) -> None:
        """``interrupt`` stops a call that runs, and the executor goes on working.

        Skipped unless the executor is an ``InterruptibleExecutor``.
        """
        if not isinstance(executor, InterruptibleExecutor):
            pytest.skip("not an InterruptibleExecutor")
        stuck = executor.submit(time.sleep, 60)
        deadline = time.monotonic() + 30
        while not stuck.running():
            assert time.monotonic() < deadline, "the call never started"
            time.sleep(0.01)
        assert executor.interrupt(stuck) is True
        with pytest.raises(Exception):  # noqa: B017 - cancelled or failed: either stops it
            stuck.result(timeout=30)
        started = time.monotonic()
        assert executor.submit(pow, 2, 5).result(timeout=30) == 32
        assert time.monotonic() - started < 25, "a later call waited for the interrupted one"
        assert executor.interrupt(stuck) is False


# --- middleware ------------------------------------------------------------------
