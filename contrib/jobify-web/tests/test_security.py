"""Safe by default: one test (at least) per point of the issue's list.

Token or hash required; Bearer for scripts; login form and session cookie for
browsers; 401 and no data without them; actions only by POST with a CSRF token;
read-only mode; escaping; no secret in logs, pages or headers; 127.0.0.1 by default.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

import pytest

from jobify.exceptions import ConfigError
from jobify_web import WebSettings, dashboard, hash_token
from jobify_web.auth import Secret, Sessions
from jobify_web.serve import bind
from jobify_web.settings import parse_listen

GET_ROUTES = [
    "/", "/jobs", "/jobs/secret-job", "/failures", "/cluster", "/api", "/api/overview",
    "/api/tasks", "/api/jobs", "/api/jobs/secret-job", "/api/runs", "/api/runs?failed=1",
    "/api/cluster", "/api/events",
]  # fmt: skip


async def _app_with_a_job(make_app, **kwargs):
    app = make_app(**kwargs)

    @app.task(name="secret_task")
    async def secret_task(payload: str) -> None: ...

    await app.startup()
    await secret_task.schedule("secret-payload").delay(3600, job_id="secret-job")
    return app


# --- nothing is served without a token ------------------------------------------------


def test_no_token_anywhere_refuses_to_build_the_dashboard(make_app):
    app = make_app()
    with pytest.raises(ConfigError, match="no token, and nothing is served without one"):
        dashboard(app)


def test_the_token_comes_from_the_environment_or_the_file(make_app, monkeypatch, token):
    monkeypatch.setenv("JOBIFY_WEB_TOKEN", token)
    assert WebSettings.of(make_app()).token == token
    monkeypatch.delenv("JOBIFY_WEB_TOKEN")
    hashed = hash_token("a password")
    app = make_app(toml=f'[jobify.web]\ntoken = "{hashed}"\n')
    assert WebSettings.of(app).token == hashed


@pytest.mark.parametrize("bad", ["short", "  spaces-around-a-long-token  ", "scrypt$1$x"])
def test_weak_tokens_are_refused_without_showing_them(make_app, bad):
    app = make_app()
    with pytest.raises(ConfigError) as info:
        dashboard(app, token=bad)
    assert bad.strip() not in str(info.value)
    with pytest.raises(ConfigError, match=r"\[jobify.web\] token = <hidden>") as info:
        make_app(toml=f'[jobify.web]\ntoken = "{bad}"\n')  # refused when the app is assembled
    assert bad.strip() not in str(info.value)


@pytest.mark.parametrize("path", GET_ROUTES)
async def test_without_the_token_every_route_is_401_with_no_data(make_app, client, token, path):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            response = await http.get(path)
            assert response.status_code == 401
            body = response.text.replace(path, "")  # the form comes back to what was asked
            for secret in ("secret-job", "secret_task", "secret-payload", token):
                assert secret not in body
            if path.startswith("/api"):
                assert response.headers["www-authenticate"] == 'Bearer realm="jobify"'
                assert response.json()["error"] == "unauthorized"
            else:
                assert 'id="login"' in response.text  # a browser gets the login form
    finally:
        await app.shutdown()


@pytest.mark.parametrize(
    "header", ["Bearer wrong-token-0123456789", "Basic Zm9vOmJhcg==", "Bearer"]
)
async def test_a_wrong_authorization_header_is_401(make_app, client, token, header):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            response = await http.get("/api/jobs", headers={"Authorization": header})
            assert response.status_code == 401
            assert "secret-job" not in response.text
    finally:
        await app.shutdown()


async def test_scripts_send_a_bearer_token(make_app, client, token):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token), bearer=token) as http:
            response = await http.get("/api/jobs")
            assert response.status_code == 200
            assert [job["id"] for job in response.json()["jobs"]] == ["secret-job"]
    finally:
        await app.shutdown()


async def test_a_password_hash_in_the_file_accepts_the_password_only(make_app, client):
    hashed = hash_token("correct horse battery staple")
    app = await _app_with_a_job(make_app, toml=f'[jobify.web]\ntoken = "{hashed}"\n')
    try:
        dash = dashboard(app)
        async with client(dash, bearer="correct horse battery staple") as http:
            assert (await http.get("/api/jobs")).status_code == 200
            assert (await http.get("/api/jobs")).status_code == 200  # remembered: no rehash
        async with client(dash, bearer=hashed) as http:  # the hash itself is no password
            assert (await http.get("/api/jobs")).status_code == 401
    finally:
        await app.shutdown()


# --- browsers: login form, session cookie ---------------------------------------------


async def test_a_browser_logs_in_through_the_form_and_gets_a_strict_cookie(
    make_app, client, token, login
):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            assert (await http.get("/jobs")).status_code == 401
            form = await http.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            done = await http.post("/login", data={"token": token, "csrf": csrf, "next": "/jobs"})
            assert done.status_code == 303
            assert done.headers["location"] == "/jobs"
            cookie = done.headers["set-cookie"]
            assert "jobify_web_session=" in cookie
            for attribute in ("HttpOnly", "SameSite=strict", "Path=/"):
                assert attribute.lower() in cookie.lower()
            assert token not in cookie
            page = await http.get("/jobs")
            assert page.status_code == 200
            assert "secret-job" in page.text
    finally:
        await app.shutdown()


async def test_a_wrong_token_at_the_login_form_is_401(make_app, client, token, caplog):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            form = await http.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            wrong = "not-the-token-but-long-enough"
            with caplog.at_level(logging.DEBUG):
                done = await http.post("/login", data={"token": wrong, "csrf": csrf})
            assert done.status_code == 401
            assert "Wrong token" in done.text
            assert "jobify_web_session" not in done.headers.get("set-cookie", "")
            assert wrong not in caplog.text
            assert "failed login" in caplog.text
    finally:
        await app.shutdown()


async def test_the_login_form_needs_its_own_csrf_token(make_app, client, token):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            done = await http.post("/login", data={"token": token})  # no form, no cookie
            assert done.status_code == 403
            assert "jobify_web_session" not in done.headers.get("set-cookie", "")
    finally:
        await app.shutdown()


async def test_a_tampered_or_expired_session_is_401(make_app, client, token, login):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            await login(http)
            cookie = http.cookies["jobify_web_session"]
            issued, nonce, signature = cookie.split(".")
            http.cookies.clear()
            http.cookies.set("jobify_web_session", f"{int(issued) + 1}.{nonce}.{signature}")
            assert (await http.get("/jobs")).status_code == 401
        day_ago = Sessions(Secret(token).session_key, max_age=1, clock=lambda: time.time() - 86400)
        old = day_ago.issue()  # signed right, but older than session_max_age (12 hours)
        async with client(dashboard(app, token=token)) as http:
            http.cookies.set("jobify_web_session", old)
            assert (await http.get("/jobs")).status_code == 401
    finally:
        await app.shutdown()


async def test_changing_the_token_logs_every_browser_out(make_app, client, token, login):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            await login(http)
            cookie = http.cookies["jobify_web_session"]
        async with client(dashboard(app, token=token + "-rotated")) as http:
            http.cookies.set("jobify_web_session", cookie)
            assert (await http.get("/jobs")).status_code == 401
    finally:
        await app.shutdown()


async def test_logout_needs_the_csrf_token_and_clears_the_cookie(make_app, client, token, login):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            csrf = await login(http)
            assert (await http.post("/logout", data={})).status_code == 403
            done = await http.post("/logout", data={"csrf": csrf})
            assert done.status_code == 303
            assert (await http.get("/jobs")).status_code == 401
    finally:
        await app.shutdown()


# --- actions: POST with a CSRF token ----------------------------------------------------


async def test_actions_are_never_done_by_a_get(make_app, client, token):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token), bearer=token) as http:
            for path in ("/jobs/secret-job/pause", "/api/jobs/secret-job/pause"):
                response = await http.get(path)
                assert response.status_code in (404, 405)
            assert not app.find_job("secret-job").paused
    finally:
        await app.shutdown()


async def test_a_browsers_action_without_the_csrf_token_is_refused(make_app, client, token, login):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            csrf = await login(http)
            for data in ({}, {"csrf": "forged"}, {"csrf": csrf + "x"}):
                response = await http.post("/jobs/secret-job/pause", data=data)
                assert response.status_code == 403
                assert "CSRF" in response.text
            api = await http.post("/api/jobs/secret-job/pause")
            assert api.status_code == 403
            assert not app.find_job("secret-job").paused
            done = await http.post("/jobs/secret-job/pause", data={"csrf": csrf})
            assert done.status_code == 303
            assert app.find_job("secret-job").paused
            api = await http.post("/api/jobs/secret-job/resume", headers={"X-CSRF-Token": csrf})
            assert api.status_code == 200
            assert not app.find_job("secret-job").paused
    finally:
        await app.shutdown()


async def test_one_sessions_csrf_token_does_not_fit_another(make_app, client, token, login):
    app = await _app_with_a_job(make_app)
    try:
        dash = dashboard(app, token=token)
        async with client(dash) as first:
            other_csrf = await login(first)
        async with client(dash) as second:
            await login(second)
            response = await second.post("/jobs/secret-job/pause", data={"csrf": other_csrf})
            assert response.status_code == 403
    finally:
        await app.shutdown()


async def test_read_only_hides_the_buttons_and_refuses_actions(make_app, client, token, login):
    app = await _app_with_a_job(make_app, toml="[jobify.web]\nread_only = true\n")
    try:
        dash = dashboard(app, token=token)
        async with client(dash) as http:
            csrf = await login(http)
            for path in ("/jobs", "/jobs/secret-job"):
                page = await http.get(path)
                assert "secret-job" in page.text
                assert "data-action" not in page.text
                assert "read-only" in page.text
            response = await http.post("/jobs/secret-job/pause", data={"csrf": csrf})
            assert response.status_code == 403
        async with client(dash, bearer=token) as http:
            response = await http.post("/api/jobs/secret-job/cancel")
            assert response.status_code == 403
            assert (await http.get("/api/overview")).json()["read_only"] is True
        assert app.find_job("secret-job") is not None
        assert not app.find_job("secret-job").paused
    finally:
        await app.shutdown()


# --- escaping ---------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


async def test_job_ids_arguments_and_errors_are_escaped(make_app, client, token):
    app = make_app()

    @app.task(name="echo")
    async def echo(text: str) -> None:
        raise ValueError(text)

    await app.startup()
    try:
        await echo.schedule(HOSTILE).delay(3600, job_id=HOSTILE)
        job = await echo.push(HOSTILE)
        await job.wait()
        while not await app.job_history(failed_only=True):  # written on the next loop turns
            await asyncio.sleep(0.01)
        async with client(dashboard(app, token=token), bearer=token) as http:
            for path in ("/jobs", f"/jobs/{HOSTILE}", "/failures", f"/jobs?search={HOSTILE}"):
                page = await http.get(path)
                assert page.status_code == 200, path
                assert "<script>alert" not in page.text, path
                assert "<img src=x" not in page.text, path
                assert "&lt;script&gt;" in page.text, path
            api = await http.get("/api/jobs")
            assert api.headers["content-type"] == "application/json"
            assert api.json()["jobs"][0]["id"] == HOSTILE
    finally:
        await app.shutdown()


async def test_every_response_has_the_security_headers(make_app, client, token):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token), bearer=token) as http:
            for path in ("/", "/api/jobs", "/login", "/static/dashboard.css"):
                headers = (await http.get(path)).headers
                csp = headers["content-security-policy"]
                assert "script-src 'self'" in csp
                assert "frame-ancestors 'none'" in csp
                assert headers["x-content-type-options"] == "nosniff"
                assert headers["x-frame-options"] == "DENY"
            assert (await http.get("/api/jobs")).headers["cache-control"] == "no-store"
    finally:
        await app.shutdown()


async def test_the_next_address_never_leaves_the_dashboard(make_app, client, token):
    app = await _app_with_a_job(make_app)
    try:
        async with client(dashboard(app, token=token)) as http:
            form = await http.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            done = await http.post(
                "/login", data={"token": token, "csrf": csrf, "next": "//evil.example/"}
            )
            assert done.headers["location"] == "/"
    finally:
        await app.shutdown()


# --- no secret in logs or pages ------------------------------------------------------------


async def test_no_secret_appears_in_pages_headers_or_logs(make_app, client, token, login, caplog):
    hashed = hash_token(token)
    app = await _app_with_a_job(make_app, toml=f'[jobify.web]\ntoken = "{hashed}"\n')
    seen: list[str] = []
    try:
        dash = dashboard(app)
        with caplog.at_level(logging.DEBUG):
            async with client(dash) as http:
                csrf = await login(http)
                for path in GET_ROUTES[:-1]:
                    response = await http.get(path)
                    seen.append(response.text)
                    seen.append(str(response.headers))
                await http.post("/jobs/secret-job/pause", data={"csrf": csrf})
            async with client(dash, bearer=token) as http:
                for path in GET_ROUTES[:-1]:
                    response = await http.get(path)
                    seen.append(response.text + str(response.headers))
    finally:
        await app.shutdown()
    everything = "\n".join(seen) + caplog.text
    assert token not in everything
    assert hashed not in everything
    assert hashed.split("$")[-1] not in everything  # not even the digest
    assert token not in repr(dash.state.dashboard.secret)
    assert token not in repr(dash.state.dashboard.settings)


# --- where it listens ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "host", "port"),
    [(":8765", "127.0.0.1", 8765), ("8765", "127.0.0.1", 8765), (8765, "127.0.0.1", 8765),
     ("0.0.0.0:80", "0.0.0.0", 80), ("[::1]:9000", "::1", 9000)],  # noqa: S104
)  # fmt: skip
def test_listen_defaults_to_127_0_0_1(given, host, port):
    listen = parse_listen(given)
    assert (listen.host, listen.port) == (host, port)


def test_nothing_listens_unless_asked_and_then_on_loopback():
    assert WebSettings().listen is None
    sock = bind(*parse_listen(":0"))
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
