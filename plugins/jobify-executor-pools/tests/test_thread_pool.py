"""``make_thread_pool``: a plain ThreadPoolExecutor with checked options."""

from __future__ import annotations

import asyncio
import operator
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from jobify_executor_pools import make_thread_pool


def test_runs_functions_on_named_threads():
    with make_thread_pool(max_workers=2, thread_name_prefix="jobs") as pool:
        assert isinstance(pool, ThreadPoolExecutor)
        assert pool.submit(operator.add, 2, 3).result() == 5
        name = pool.submit(lambda: threading.current_thread().name).result()
        assert name.startswith("jobs_")
        assert list(pool.map(operator.neg, [1, 2, 3])) == [-1, -2, -3]


def test_default_prefix():
    with make_thread_pool() as pool:
        assert (
            pool.submit(lambda: threading.current_thread().name)
            .result()
            .startswith("jobify-worker_")
        )


async def test_works_with_run_in_executor():
    with make_thread_pool(max_workers=1) as pool:
        assert await asyncio.get_running_loop().run_in_executor(pool, operator.mul, 6, 7) == 42


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"max_workers": 0},
            ValueError,
            r"ThreadPoolOptions\(max_workers=0\): expected an int >= 1",
        ),
        ({"max_workers": -2}, ValueError, r"max_workers=-2\): expected an int >= 1"),
        ({"max_workers": "4"}, TypeError, r"max_workers='4'\): expected an int or None, got str"),
        ({"max_workers": True}, TypeError, r"max_workers=True\): expected an int or None"),
        ({"thread_name_prefix": 3}, TypeError, r"thread_name_prefix=3\): expected a str"),
    ],
)
def test_option_validation(options, error, message):
    with pytest.raises(error, match=message):
        make_thread_pool(**options)
