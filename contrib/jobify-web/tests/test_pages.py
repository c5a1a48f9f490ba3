"""The HTML pages through an HTTP client, at the root and mounted under a sub-path."""

from __future__ import annotations

import asyncio
import re

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from jobify import Jobify
from jobify.testing.memory import MemoryCluster, MemoryDatabase, MemoryStorage
from jobify_web import dashboard


def declare(app: Jobify) -> None:
    @app.task(name="send_email")
    async def send_email(to: str) -> None: ...

    @app.task(name="boom")
    async def boom() -> None:
        raise KeyError("no such customer")

    @app.task(name="nightly", cron="0 3 * * *")
    async def nightly() -> None: ...


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


def links(html: str) -> list[str]:
    return re.findall(r'\s(?:href|action|formaction|src)="([^"]+)"', html)


async def test_each_page_renders(make_app, client, token):
    app = make_app()
    declare(app)
    async with app, client(dashboard(app, token=token), bearer=token) as http:
        await app.registry.routes["send_email"].schedule("ada@example.com").delay(60, job_id="m1")
        await (await app.registry.routes["boom"].push()).wait()
        await settle()
        tasks = (await http.get("/")).text
        assert "<code>nightly</code>" in tasks
        assert "<code>0 3 * * *</code>" in tasks
        jobs = (await http.get("/jobs")).text
        assert 'data-job-id="m1"' in jobs
        assert 'data-job-id="nightly__jobify_cron_definition"' in jobs
        assert "Next run (UTC)" in jobs
        job = (await http.get("/jobs/m1")).text
        assert "ada@example.com" in job
        assert "as stored" in job
        assert 'id="job-status"' in job
        failures = (await http.get("/failures")).text
        assert "<strong>KeyError</strong>" in failures
        assert "no such customer" in failures
        cluster = (await http.get("/cluster")).text
        assert "not a cluster" in cluster


async def test_the_pages_say_when_history_is_off(make_app, client, token):
    app = make_app(history=False)
    declare(app)
    async with app, client(dashboard(app, token=token), bearer=token) as http:
        await app.registry.routes["send_email"].schedule("a@example.com").delay(60, job_id="m1")
        for path in ("/", "/failures", "/jobs/m1"):
            page = (await http.get(path)).text
            assert 'id="history-off"' in page, path
            assert "[jobify.history] enabled = true" in page, path


async def test_the_job_list_pages_by_key_with_links_that_keep_the_filters(make_app, client, token):
    app = make_app()
    declare(app)
    async with app, client(dashboard(app, token=token, page_size=5), bearer=token) as http:
        for n in range(12):
            await app.registry.routes["send_email"].schedule("x").delay(60, job_id=f"m{n:02d}")
        page = (await http.get("/jobs", params={"task": "send_email"})).text
        assert re.findall(r'data-job-id="([^"]+)"', page) == [f"m{n:02d}" for n in range(5)]
        nxt = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
        assert nxt == "/jobs?task=send_email&after=m04"
        page = (await http.get(nxt)).text
        assert re.findall(r'data-job-id="([^"]+)"', page)[0] == "m05"
        assert "« First page" in page
        assert '<option value="send_email" selected>' in page


async def test_a_set_aside_row_shows_its_reason_and_only_cancel(make_app, client, token):
    db = MemoryDatabase()
    app = make_app(storage=MemoryStorage(database=db))
    declare(app)
    async with app, client(dashboard(app, token=token), bearer=token) as http:
        await app.registry.routes["send_email"].schedule("a").delay(60, job_id="odd")
        await MemoryStorage(database=db).set_aside("odd", "task 'gone' is not declared")
        page = (await http.get("/jobs")).text
        assert "task &#39;gone&#39; is not declared" in page
        job = (await http.get("/jobs/odd")).text
        assert 'data-action="cancel"' in job
        assert 'data-action="pause"' not in job


async def test_a_fragment_request_gets_the_content_only(make_app, client, token):
    app = make_app()
    declare(app)
    async with app, client(dashboard(app, token=token), bearer=token) as http:
        whole = (await http.get("/jobs")).text
        part = (await http.get("/jobs", headers={"X-Jobify-Fragment": "1"})).text
        assert whole.startswith("<!doctype html>")
        assert "<html" not in part
        assert "nightly__jobify_cron_definition" in part
        assert '<form method="get"' not in part  # the filters stay as the user typed them


async def test_the_cluster_page_lists_nodes(make_app, client, token):
    cluster = MemoryCluster()
    a = make_app(storage=cluster.node("alpha"), history=False)
    b = make_app(storage=cluster.node("beta"), history=False)
    declare(a)
    declare(b)
    async with a, b, client(dashboard(b, token=token), bearer=token) as http:
        page = (await http.get("/cluster")).text
        assert re.findall(r"<code>(\w+)</code>", page) == ["alpha", "beta"]
        assert '<tr class="node this">' in page


# --- mounted under a sub-path (Flower's long-standing bug) ---------------------------------


def host_app(dash) -> Starlette:
    async def home(request):
        return PlainTextResponse("the host app")

    return Starlette(routes=[Route("/", home), Mount("/ops/jobs", app=dash)])


@pytest.mark.parametrize("prefix", ["/ops/jobs"])
async def test_mounted_under_a_prefix_every_link_stays_under_it(
    make_app, client, token, login, prefix
):
    app = make_app()
    declare(app)
    async with app, client(host_app(dashboard(app, token=token))) as http:
        await app.registry.routes["send_email"].schedule("a").delay(60, job_id="team/m 1?")
        assert (await http.get("/")).text == "the host app"
        assert (await http.get(f"{prefix}/jobs")).status_code == 401
        form = await http.get(f"{prefix}/login")
        assert f'action="{prefix}/login"' in form.text
        cookie = form.headers["set-cookie"]
        assert f"Path={prefix}/" in cookie
        csrf = await login(http, prefix=prefix)
        (session,) = [c for c in http.cookies.jar if c.name == "jobify_web_session"]
        assert session.path == f"{prefix}/"
        for path in ("/", "/jobs", "/failures", "/cluster", "/jobs/team%2Fm%201%3F"):
            page = await http.get(f"{prefix}{path}")
            assert page.status_code == 200, path
            for link in links(page.text):
                assert link.startswith(f"{prefix}/"), (path, link)
        assert (await http.get(f"{prefix}/static/dashboard.js")).status_code == 200
        job_page = (await http.get(f"{prefix}/jobs")).text
        assert f'href="{prefix}/jobs/team%2Fm%201%3F"' in job_page
        done = await http.post(
            f"{prefix}/jobs/team%2Fm%201%3F/pause", data={"csrf": csrf, "next": f"{prefix}/jobs"}
        )
        assert done.status_code == 303
        assert done.headers["location"] == f"{prefix}/jobs?notice=pause"
        assert app.find_job("team/m 1?").paused
        assert "Paused." in (await http.get(done.headers["location"])).text
        api = (await http.get(f"{prefix}/api")).json()
        assert api["jobs"] == f"{prefix}/api/jobs"
    async with client(host_app(dashboard(app, token=token)), bearer=token) as http:
        response = await http.get(f"{prefix}/api/jobs")
        assert response.status_code == 503  # the app stopped
