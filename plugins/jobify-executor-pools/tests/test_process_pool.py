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
import sys
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
    assert pool.options.max_workers == 2
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


def test_a_job_queued_behind_a_dying_one_runs_on_the_replacement():
    # each worker runs one call at a time, so a queued job never reached the dead one
    with make_process_pool(max_workers=1) as pool:
        doomed = pool.submit(os._exit, 1)
        queued = pool.submit(math.factorial, 4)  # waits behind the dying job
        with pytest.raises(WorkerDiedError):
            doomed.result(timeout=30)
        assert queued.result(timeout=30) == 24
        assert pool.restarts == 1


def test_a_worker_death_fails_only_its_own_job():
    with make_process_pool(max_workers=2) as pool:
        busy = pool.submit(time.sleep, 1)
        while not busy.running():
            time.sleep(0.01)
        with pytest.raises(WorkerDiedError):
            pool.submit(os._exit, 1).result(timeout=30)
        assert busy.result(timeout=30) is None


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
        (
            {"max_workers": 0},
            ValueError,
            r"ProcessPoolOptions\(max_workers=0\): expected an int >= 1",
        ),
        ({"max_workers": 2.5}, TypeError, r"max_workers=2.5\): expected an int or None"),
        ({"mp_context": "threads"}, ValueError, r"mp_context='threads'\): not a start method"),
        ({"mp_context": None}, TypeError, r"mp_context=None\): expected a start method name"),
        ({"max_tasks_per_child": 0}, ValueError, r"max_tasks_per_child=0\): expected an int >= 1"),
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


def test_a_near_miss_start_method_gets_a_suggestion():
    with pytest.raises(ValueError, match=r"mp_context='sapwn'.*Did you mean 'spawn'\?"):
        make_process_pool(mp_context="sapwn")


# --- interrupt: ending the worker that runs a call --------------------------------

SLEEPER = """
import os, time
from pathlib import Path


def sleep_reporting(path, seconds):
    Path(path).write_text(str(os.getpid()))
    time.sleep(seconds)
    return "woke"
"""


def _gone(pid: int, within: float = 10) -> bool:
    """Whether process ``pid`` has ended (and been reaped) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def sleeper(tmp_path, monkeypatch):
    """A module-level function that writes its worker's pid, then sleeps."""
    (tmp_path / "jobify_test_sleeper.py").write_text(SLEEPER)
    monkeypatch.syspath_prepend(str(tmp_path))  # spawned workers get this sys.path
    import jobify_test_sleeper

    yield jobify_test_sleeper.sleep_reporting
    sys.modules.pop("jobify_test_sleeper", None)


def test_interrupt_ends_the_worker_running_the_call(sleeper, tmp_path):
    from jobify.executors import InterruptibleExecutor

    pid_file = tmp_path / "pid"
    with make_process_pool(max_workers=1) as pool:
        assert isinstance(pool, InterruptibleExecutor)
        stuck = pool.submit(sleeper, pid_file, 60)
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the call never started"
            time.sleep(0.02)
        pid = int(pid_file.read_text())
        assert pool.interrupt(stuck) is True
        with pytest.raises(CancelledError, match="its worker process was ended"):
            stuck.result(timeout=30)
        assert _gone(pid), f"worker {pid} still runs the interrupted call"
        started = time.monotonic()
        assert pool.submit(math.factorial, 5).result(timeout=30) == 120  # not stuck behind it
        assert time.monotonic() - started < 25
        assert pool.restarts == 1
        assert pool.interrupt(stuck) is False  # once ended, nothing more to stop


def test_interrupt_cancels_a_waiting_call_and_leaves_finished_ones_alone():
    with make_process_pool(max_workers=1) as pool:
        running = pool.submit(time.sleep, 0.5)
        waiting = pool.submit(operator.add, 1, 2)
        assert pool.interrupt(waiting) is True
        assert waiting.cancelled()
        assert running.result(timeout=30) is None
        assert pool.interrupt(running) is False
        assert pool.restarts == 0


# --- a worker started while another dies -------------------------------------------

RACE = """
import math, multiprocessing, os, sys, time
from jobify_executor_pools import WorkerDiedError, make_process_pool


def round_(i):
    pool = make_process_pool(max_workers=2)
    pool.submit(math.factorial, 3).result(timeout=60)
    time.sleep(0.05 * (i % 4))  # the first worker idles: the next call goes to it
    # it dies on the first call while a second worker starts for the next ones
    calls = [(os._exit, 1), (math.factorial, 5), (math.factorial, 6)]
    futures = [pool.submit(*call) for call in calls]
    outcomes = []
    for future in futures:
        try:
            outcomes.append(future.result(timeout=60))
        except WorkerDiedError:
            outcomes.append("died")
    pool.shutdown(wait=True)
    left = multiprocessing.active_children()
    print(i, outcomes, "left:", len(left), flush=True)
    for process in left:
        process.kill()
    return not left


if __name__ == "__main__":
    if not all([round_(i) for i in range({rounds})]):
        sys.exit(1)
    print("ok")
"""


@pytest.mark.slow
def test_a_worker_started_while_another_dies_is_stopped_and_joined(tmp_path):
    """A ``ProcessPoolExecutor`` broken while ``submit()`` starts a worker never joins it.

    The interpreter then hangs at exit waiting for that worker (seen once as
    tests/reliability/test_faults.py printing its output and hanging).
    """
    import subprocess

    (tmp_path / "race.py").write_text(RACE.format(rounds=20))
    out = subprocess.run(
        [sys.executable, "race.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[-1] == "ok"
    assert all(line.endswith("['died', 120, 720] left: 0") for line in lines[:-1]), out.stdout
