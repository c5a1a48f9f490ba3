"""The thread and process pools pass the executor contract suite."""

import pytest

from jobify.testing.contracts import ExecutorContract
from jobify_executor_pools.pools import make_process_pool, make_thread_pool


class TestPoolsContract(ExecutorContract):
    @pytest.fixture(
        params=[
            (make_thread_pool, {}),
            (make_thread_pool, {"max_workers": 1}),
            (make_process_pool, {"max_workers": 2}),
        ],
        ids=["thread", "thread-1", "process"],
    )
    def make_executor(self, request):
        factory, options = request.param
        return lambda: factory(**options)
