"""QueueMiddleware passes the middleware contract suite, with one worker and with many."""

import pytest

from jobify.testing.contracts import MiddlewareContract
from jobify_queue import QueueMiddleware


class TestQueueMiddlewareContract(MiddlewareContract):
    @pytest.fixture(params=[{"workers": 1}, {"workers": 8}], ids=["one-worker", "eight-workers"])
    def make_middleware(self, request):
        return lambda: QueueMiddleware(**request.param)
