"""A minimal pytest plugin that runs ``async def`` tests on a fresh event loop.

Each coroutine test runs in its own ``asyncio.Runner(debug=True)``, so a task
or a never-awaited coroutine that a test leaks cannot reach the next test.
Enable it with ``-p jobify.testing.aio`` (the repository's pytest config does).
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

__all__ = ("pytest_pyfunc_call",)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run a coroutine test function to completion; leave other tests to pytest."""
    func: Any = pyfuncitem.obj
    if not inspect.iscoroutinefunction(func):
        return None
    argnames = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in argnames}
    with asyncio.Runner(debug=True) as runner:
        runner.run(func(**kwargs))
    return True
