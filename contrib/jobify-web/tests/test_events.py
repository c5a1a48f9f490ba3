"""Server-sent events: pages hear that something changed, pushed by the change feed if any.

These run a real server (uvicorn, on 127.0.0.1 and a free port, in the test's
loop) because an event stream never ends by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx

from jobify.storage import InspectableStorage, Storage
from jobify.testing.memory import MemoryDatabase, MemoryStorage
from jobify_web import WebSettings
from jobify_web.serve import EmbeddedServer
from jobify_web.settings import parse_listen
from jobify_web.web import Dashboard


class InspectableMemory(MemoryStorage, InspectableStorage):
    """Memory storage with a read-only copy on the same database, as SQLite offers one."""

    def describe(self) -> str:
        return "memory database"

    def read_only(self) -> Storage:
        return MemoryStorage(database=self.database)


@contextlib.asynccontextmanager
async def served(dash: Dashboard) -> AsyncIterator[str]:
    server = EmbeddedServer(dash.asgi, parse_listen("127.0.0.1:0"), access_log=False)
    await server.start()
    try:
        yield server.url
    finally:
        await dash.hub.close()
        await server.stop()


async def events(http: httpx.AsyncClient, url: str, token: str) -> AsyncIterator[dict[str, Any]]:
    """Each event of the stream as ``{"event": ..., "data": ...}``."""
    headers = {"Authorization": f"Bearer {token}"}
    async with http.stream("GET", f"{url}/api/events", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        event: dict[str, Any] = {}
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event["event"] = line[7:]
            elif line.startswith("data: "):
                event["data"] = json.loads(line[6:])
            elif line == "" and event:
                yield event
                event = {}


async def test_a_job_scheduled_here_reaches_open_pages(make_app, token):
    app = make_app()

    @app.task(name="work")
    async def work() -> None: ...

    async with app:
        dash = Dashboard(app, WebSettings(token=token), tick=0.05)
        async with served(dash) as url, httpx.AsyncClient(timeout=10) as http:
            stream = events(http, url, token)
            hello = await anext(stream)
            assert hello["event"] == "hello"
            assert hello["data"]["pushed"] is False  # MemoryStorage has no read-only copy
            assert dash.hub.active
            await work.schedule().delay(60)
            change = await asyncio.wait_for(anext(stream), 5)
            assert change["event"] == "change"
            assert change["data"]["version"] > hello["data"]["version"]
            await stream.aclose()
        assert not dash.hub.active  # no page open: nothing runs


async def test_a_storage_change_feed_pushes_writes_from_other_processes(make_app, token):
    db = MemoryDatabase()
    app = make_app(storage=InspectableMemory(database=db), role="producer")
    other = MemoryStorage(database=db)  # another process's storage on the same database

    @app.task(name="work")
    async def work() -> None: ...

    async with app:
        dash = Dashboard(app, WebSettings(token=token), tick=60)  # the kernel check: too late
        async with served(dash) as url, httpx.AsyncClient(timeout=10) as http:
            stream = events(http, url, token)
            hello = await anext(stream)
            assert hello["data"]["pushed"] is True
            await work.schedule().delay(60, job_id="from-a-producer")
            change = await asyncio.wait_for(anext(stream), 2)
            assert change["event"] == "change"
            await other.set_paused("from-a-producer", paused=True)
            change = await asyncio.wait_for(anext(stream), 2)
            assert change["event"] == "change"
            await stream.aclose()


async def test_streams_end_when_the_dashboard_stops(make_app, token):
    app = make_app()
    async with app:
        dash = Dashboard(app, WebSettings(token=token), tick=0.05)
        server = EmbeddedServer(dash.asgi, parse_listen("127.0.0.1:0"), access_log=False)
        await server.start()
        async with httpx.AsyncClient(timeout=10) as http:
            stream = events(http, server.url, token)
            await anext(stream)
            await dash.hub.close()
            remaining = [event async for event in stream]
            assert remaining == []
        await server.stop()


async def test_without_the_token_there_is_no_stream(make_app, token):
    app = make_app()
    async with app:
        dash = Dashboard(app, WebSettings(token=token), tick=0.05)
        async with served(dash) as url, httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{url}/api/events")
            assert response.status_code == 401
            assert not dash.hub.active


async def page_version(http: httpx.AsyncClient, url: str, token: str) -> int:
    """The change version a page was rendered at (its ``data-version``)."""
    response = await http.get(f"{url}/jobs", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    found = re.search(r'data-version="(\d+)"', response.text)
    assert found is not None
    return int(found.group(1))


async def test_a_change_between_a_page_and_its_stream_is_not_missed(make_app, token):
    """An action's redirect: the page renders, the job runs, then the page's stream opens."""
    app = make_app()

    @app.task(name="work")
    async def work() -> None: ...

    async with app:
        dash = Dashboard(app, WebSettings(token=token), tick=0.05, linger=5)
        async with served(dash) as url, httpx.AsyncClient(timeout=10) as http:
            rendered = await page_version(http, url, token)
            assert dash.hub.active  # a stream is expected: the sources run already
            job = await work.push()
            await job.wait()
            await asyncio.sleep(0.3)  # the kernel check has seen the job come and go
            stream = events(http, url, token)
            hello = await anext(stream)
            assert hello["data"]["version"] > rendered  # the page's script refreshes
            await stream.aclose()
            assert dash.hub.active  # lingers for the next page
            again = await page_version(http, url, token)
            stream = events(http, url, token)
            hello = await anext(stream)
            assert hello["data"]["version"] == again  # nothing changed: no refresh
            await stream.aclose()


async def test_the_sources_stop_when_no_page_came_back_within_the_linger(make_app, token):
    app = make_app()
    async with app:
        dash = Dashboard(app, WebSettings(token=token), tick=0.05, linger=0.2)
        async with served(dash) as url, httpx.AsyncClient(timeout=10) as http:
            stream = events(http, url, token)
            await anext(stream)
            await stream.aclose()
            assert dash.hub.active
            await asyncio.sleep(0.5)
            assert not dash.hub.active
