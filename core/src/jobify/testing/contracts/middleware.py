"""The middleware suite: a middleware wraps runs and lets errors through."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from jobify import Jobify

__all__ = ("MiddlewareContract",)


class _BoomError(Exception):
    pass


class _Probe:
    """The innermost middleware of the suite: counts calls, returns or raises on demand."""

    def __init__(self) -> None:
        self.calls = 0
        self.result: Any = None
        self.error: BaseException | None = None

    async def __call__(self, call_next: Any, context: Any) -> Any:
        self.calls += 1
        if self.error is not None:
            raise self.error
        if self.result is not None:
            return self.result
        return await call_next(context)


class MiddlewareContract:
    """What every inner middleware must do, in a real app (storage off, no plugins).

    The middleware under test wraps a probe middleware: it must call
    ``call_next`` exactly once per execution and return what it returns,
    let exceptions and cancellation through, and start and stop with the app
    leaving no task behind.

    Override ``make_middleware``: a fixture returning a zero-argument callable
    that builds a new middleware object.
    """

    @pytest.fixture
    def make_middleware(self) -> Callable[[], Any]:
        """Return a factory of middleware objects."""
        raise NotImplementedError("override the make_middleware fixture")

    @pytest.fixture(autouse=True)
    def _app_alone(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
        monkeypatch.setenv("JOBIFY_CONFIG", "")

    @staticmethod
    def app_with(middleware: Any, probe: _Probe) -> Jobify:
        """An app with storage off and ``[middleware, probe]`` as its middleware."""
        from jobify import Jobify

        return Jobify(storage=False, middleware=[middleware, probe])

    async def test_returns_the_result_of_call_next_once_per_run(
        self, make_middleware: Callable[[], Any]
    ) -> None:
        probe = _Probe()
        app = self.app_with(make_middleware(), probe)
        calls: list[int] = []

        @app.task
        async def double(x: int) -> int:
            calls.append(x)
            return 2 * x

        async with app:
            jobs = [await double.push(i) for i in range(20)]
            async with asyncio.timeout(10):
                for job in jobs:
                    await job.wait()
            results: list[Any] = [job.result() for job in jobs]
            assert results == [2 * i for i in range(20)]
            assert sorted(calls) == list(range(20))
            assert probe.calls == 20
            sentinel = object()
            probe.result = sentinel
            job = await double.push(0)
            async with asyncio.timeout(10):
                await job.wait()
            assert job.result() is sentinel
            assert probe.calls == 21

    async def test_propagates_exceptions(self, make_middleware: Callable[[], Any]) -> None:
        from jobify import JobStatus

        probe = _Probe()
        app = self.app_with(make_middleware(), probe)

        @app.task
        async def fails() -> None:
            raise _BoomError("from the task")

        async with app:
            job = await fails.push()
            async with asyncio.timeout(10):
                await job.wait()
            assert job.status is JobStatus.FAILED
            assert isinstance(job.exception, _BoomError)
            probe.error = _BoomError("from call_next")
            job = await fails.push()
            async with asyncio.timeout(10):
                await job.wait()
            assert isinstance(job.exception, _BoomError)
            assert str(job.exception) == "from call_next"
            assert probe.calls == 2

    async def test_cancelling_a_running_job_reaches_the_task(
        self, make_middleware: Callable[[], Any]
    ) -> None:
        from jobify import JobStatus

        app = self.app_with(make_middleware(), _Probe())
        started = asyncio.Event()
        cancelled = asyncio.Event()

        @app.task
        async def forever() -> None:
            started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise

        async with app:
            job = await forever.push()
            async with asyncio.timeout(10):
                await started.wait()
                await job.cancel()
                await cancelled.wait()
            assert job.status is JobStatus.CANCELLED

    async def test_starts_and_stops_with_the_app(self, make_middleware: Callable[[], Any]) -> None:
        before = asyncio.all_tasks()
        for _ in range(2):  # a fresh app and middleware after the first one stopped
            app = self.app_with(make_middleware(), _Probe())

            @app.task
            async def one() -> int:
                return 1

            async with app:
                job = await one.push()
                async with asyncio.timeout(10):
                    await job.wait()
                result: Any = job.result()
                assert result == 1
            for _ in range(3):
                await asyncio.sleep(0)
            left = asyncio.all_tasks() - before
            assert not left, f"tasks left after the app stopped: {left}"
