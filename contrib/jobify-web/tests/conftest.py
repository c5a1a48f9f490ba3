"""Fixtures: apps on in-memory storage, and the dashboard over an HTTP client.

Every test runs with plugin autoload off and no ``jobify.toml`` unless it writes
one, and without ``$JOBIFY_WEB_TOKEN``. With ``--import-mode=importlib`` test
modules cannot import this file, so helpers are reached through fixtures.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobify import Jobify
from jobify.crontab import create_crontab
from jobify.serializers import ExtendedJSONSerializer
from jobify.testing.memory import MemoryDatabase, MemoryStorage
from jobify_web import _hooks as web_hooks

TOKEN = "web-test-token-0123456789"


@pytest.fixture(autouse=True)
def _app_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("JOBIFY_CONFIG", "")
    monkeypatch.delenv("JOBIFY_WEB_TOKEN", raising=False)


@pytest.fixture
def token() -> str:
    """The dashboard token of the tests."""
    return TOKEN


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Jobify]:
    """``make_app(history=True, storage=None, toml="", **kwargs)``: an app on memory storage.

    ``toml`` is appended to the ``jobify.toml`` the app reads (after ``[jobify]``
    and, with ``history``, ``[jobify.history] enabled = true``).
    """
    count = 0

    def make(*, history: bool = True, storage: Any = None, toml: str = "", **kwargs: Any) -> Jobify:
        nonlocal count
        count += 1
        path = tmp_path / f"jobify-{count}.toml"
        text = "[jobify]\n" + ("[jobify.history]\nenabled = true\n" if history else "") + toml
        path.write_text(text)
        if storage is None:
            storage = MemoryStorage(database=MemoryDatabase())
        kwargs.setdefault("serializer", ExtendedJSONSerializer())
        kwargs.setdefault("cron_factory", create_crontab)
        kwargs.setdefault("hook_plugins", [web_hooks])  # claims [jobify.web], as installed
        return Jobify.from_config(path, storage=storage, autoload=False, **kwargs)

    return make


@pytest.fixture
def client() -> Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]:
    """``async with client(asgi, bearer=TOKEN) as c``: an HTTP client on an ASGI app."""

    @contextlib.asynccontextmanager
    async def make(asgi: Any, *, bearer: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as http:
            yield http

    return make


@pytest.fixture
def login() -> Callable[..., Any]:
    """``await login(http, prefix="", token=TOKEN)``: log in through the form; the CSRF token."""

    async def log_in(http: httpx.AsyncClient, prefix: str = "", token: str = TOKEN) -> str:
        form = await http.get(f"{prefix}/login")
        assert form.status_code == 200, form.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        done = await http.post(
            f"{prefix}/login", data={"token": token, "csrf": csrf.group(1), "next": f"{prefix}/"}
        )
        assert done.status_code == 303, done.text
        page = await http.get(f"{prefix}/")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None, page.text
        return found.group(1)

    return log_in
