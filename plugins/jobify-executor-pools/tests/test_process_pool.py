"""``make_process_pool``: a process pool that survives dead workers and leaves no children.

Jobs are stdlib functions (``operator.add``, ``math.factorial``, ``os.getpid``,
``os._exit``, ``time.sleep``): spawned workers import them by name, with no
test module on their path.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import operator
import os
import time
from concurrent.futures import BrokenExecutor, CancelledError

import pytest

from jobify.exceptions import BaseJobifyError
from jobify_executor_pools import (
    ResilientProcessPool,
    UnpicklableTaskError,
    WorkerDiedError,
    make_process_pool,
)


@pytest.fixture
def pool():
    pool = make_process_pool(max_workers=2)
    yield pool
    pool.shutdown(wait=True)


def test_runs_module_level_functions(pool):
    assert isinstance(pool, ResilientProcessPool)
    assert pool.mp_context == "spawn"
    assert pool.submit(operator.add, 2, 3).result(timeout=30) == 5
    assert pool.submit(math.factorial, 10).result(timeout=30) == 3_628_800
    assert pool.submit(os.getpid).result(timeout=30) != os.getpid()
    assert list(pool.map(math.factorial, [3, 4])) == [6, 24]


async def test_works_with_run_in_executor(pool):
    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(pool, operator.mul, 6, 7) == 42


def test_worker_death_fails_that_job_and_later_jobs_still_run(pool):
    doomed = pool.submit(os._exit, 1)
    with pytest.raises(WorkerDiedError, match=r"worker process for 'posix._exit' died") as info:
        doomed.result(timeout=30)
    assert isinstance(info.value, RuntimeError)
    assert isinstance(info.value, BaseJobifyError)
    assert isinstance(info.value.__cause__, BrokenExecutor)
    assert info.value.function == "'posix._exit'"
    assert pool.submit(operator.add, 2, 3).result(timeout=30) == 5
    assert pool.restarts == 1
    # and again: each death costs one restart, never the pool
    with pytest.raises(WorkerDiedError):
        pool.submit(os._exit, 3).result(timeout=30)
    assert pool.submit(math.factorial, 5).result(timeout=30) == 120
    assert pool.restarts == 2


def test_jobs_queued_when_a_worker_dies_fail_with_the_same_error():
    with make_process_pool(max_workers=1) as pool:
        doomed = pool.submit(os._exit, 1)
        queued = pool.submit(math.factorial, 4)  # waits behind the dying job
        with pytest.raises(WorkerDiedError):
            doomed.result(timeout=30)
        with pytest.raises(WorkerDiedError, match="'math.factorial'"):
            queued.result(timeout=30)
        assert pool.submit(math.factorial, 4).result(timeout=30) == 24


def test_unpicklable_function_fails_at_submit_naming_it(pool):
    with pytest.raises(UnpicklableTaskError, match=r"submit\('.*<lambda>'\)") as info:
        pool.submit(lambda: 1)
    assert "Define it at module level" in str(info.value)
    assert isinstance(info.value, TypeError)

    def nested():
        return 1

    with pytest.raises(UnpicklableTaskError, match=r"test_unpicklable.*nested.*module level"):
        pool.submit(nested)
    assert pool.submit(operator.add, 1, 2).result(timeout=30) == 3


def test_shutdown_leaves_no_child_processes():
    pool = make_process_pool(max_workers=2)
    assert pool.submit(operator.add, 1, 2).result(timeout=30) == 3
    with pytest.raises(WorkerDiedError):
        pool.submit(os._exit, 1).result(timeout=30)
    pids = {pool.submit(os.getpid).result(timeout=30) for _ in range(4)}
    assert pids
    pool.shutdown(wait=True)
    assert multiprocessing.active_children() == []
    with pytest.raises(RuntimeError, match="the pool was shut down"):
        pool.submit(operator.add, 1, 2)


def test_context_manager_shuts_down():
    with make_process_pool(max_workers=1) as pool:
        assert pool.submit(operator.add, 1, 2).result(timeout=30) == 3
    assert multiprocessing.active_children() == []


def test_pending_job_can_be_cancelled():
    with make_process_pool(max_workers=1) as pool:
        running = pool.submit(time.sleep, 0.3)
        waiting = [pool.submit(operator.add, i, i) for i in range(4)]
        assert waiting[-1].cancel()
        assert waiting[-1].cancelled()
        with pytest.raises(CancelledError):
            waiting[-1].result()
        running.result(timeout=30)
        assert [f.result(timeout=30) for f in waiting[:-1]] == [0, 2, 4]


def test_max_tasks_per_child_replaces_workers():
    with make_process_pool(max_workers=1, max_tasks_per_child=1) as pool:
        first = pool.submit(os.getpid).result(timeout=30)
        second = pool.submit(os.getpid).result(timeout=30)
    assert first != second


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"max_workers": 0}, ValueError, r"make_process_pool\(max_workers=0\): must be 1 or more"),
        ({"max_workers": 2.5}, TypeError, r"max_workers=2.5\): expected an int or None"),
        ({"mp_context": "threads"}, ValueError, r"mp_context='threads'\): not a start method"),
        ({"mp_context": None}, TypeError, r"mp_context=None\): expected a start method name"),
        ({"max_tasks_per_child": 0}, ValueError, r"max_tasks_per_child=0\): must be 1 or more"),
        ({"max_tasks_per_child": "1"}, TypeError, r"max_tasks_per_child='1'\): expected an int"),
    ],
)
def test_option_validation(options, error, message):
    with pytest.raises(error, match=message):
        make_process_pool(**options)


def test_invalid_start_method_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'spawn'") as info:
        make_process_pool(mp_context="sapwn")
    for method in multiprocessing.get_all_start_methods():
        assert repr(method) in str(info.value)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_max_tasks_per_child_is_refused_with_fork():
    with pytest.raises(ValueError, match="not available with mp_context='fork'"):
        make_process_pool(mp_context="fork", max_tasks_per_child=5)
