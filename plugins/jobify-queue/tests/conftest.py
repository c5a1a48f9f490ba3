"""Fixtures: apps built without plugin autoload or a ``jobify.toml``, helpers to wait on them.

With ``--import-mode=importlib`` test modules cannot import this file, so the
helpers are reached through fixtures.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import pytest

from jobify import Jobify
from jobify_queue import QueueMiddleware


@pytest.fixture(autouse=True)
def _app_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build apps from their arguments only: no discovered plugins, no jobify.toml."""
    monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("JOBIFY_CONFIG", "")


@pytest.fixture
def make_app() -> Callable[..., tuple[Jobify, QueueMiddleware]]:
    """``make_app(workers=5, **options)``: an app with storage off and one QueueMiddleware."""

    def make(workers: int = 5, **options: Any) -> tuple[Jobify, QueueMiddleware]:
        mw = QueueMiddleware(workers=workers, **options)
        return Jobify(storage=False, middleware=[mw]), mw

    return make


@pytest.fixture
def until() -> Callable[..., Any]:
    """``await until(predicate)``: yield to the loop until it holds (2 s at most)."""

    async def wait(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.001)

    return wait


@pytest.fixture(scope="session")
def kernel_drains() -> bool:
    """Whether ``Jobify.shutdown`` lets middleware ``drain()`` before it cancels the jobs.

    jobify 0.14's shutdown stops its components (the queue drains) before it
    cancels running tasks; this plugin's ``drain()`` is there for that. Tests
    of what an app's shutdown does with queued jobs ask this, so they hold
    whichever order the installed kernel uses.
    """
    saved = {k: os.environ.get(k) for k in ("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "JOBIFY_CONFIG")}
    os.environ.update(JOBIFY_DISABLE_PLUGIN_AUTOLOAD="1", JOBIFY_CONFIG="")
    try:
        app = Jobify(storage=False, middleware=[QueueMiddleware(workers=1)])
        ran: list[int] = []

        @app.task
        async def probe(i: int) -> None:
            await asyncio.sleep(0.01)
            ran.append(i)

        async def main() -> None:
            async with asyncio.timeout(5), app:
                for i in range(2):
                    await probe.push(i)
                await asyncio.sleep(0.001)

        asyncio.run(main())
        return ran == [0, 1]
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
