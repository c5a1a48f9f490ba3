"""``jobify run`` serves the dashboard when ``[jobify.web] listen`` is set, and only then."""

from __future__ import annotations

import logging
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from jobify.exceptions import ConfigError
from jobify_web import serving


async def test_the_startup_hook_serves_and_the_shutdown_hook_stops(make_app, token, monkeypatch):
    monkeypatch.setenv("JOBIFY_WEB_TOKEN", token)
    app = make_app(toml='[jobify.web]\nlisten = "127.0.0.1:0"\n')

    @app.task(name="work")
    async def work() -> None: ...

    await app.startup()
    try:
        server = serving.served(app)  # the startup hook served it
        assert server is not None
        assert server.url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=server.url) as http:
            assert (await http.get("/api/tasks")).status_code == 401
            tasks = await http.get("/api/tasks", headers={"Authorization": f"Bearer {token}"})
            assert [t["name"] for t in tasks.json()["tasks"]] == ["work"]
    finally:
        await app.shutdown()
    assert serving.served(app) is None  # the shutdown hook stopped it


async def test_without_listen_or_without_a_table_nothing_is_served(make_app, token, monkeypatch):
    monkeypatch.setenv("JOBIFY_WEB_TOKEN", token)
    for toml in ("", "[jobify.web]\nread_only = true\n"):
        app = make_app(toml=toml)
        async with app:
            await serving.start(app)
            assert serving.served(app) is None


async def test_without_a_token_it_is_not_served_and_a_warning_says_why(make_app, caplog):
    app = make_app(toml='[jobify.web]\nlisten = "127.0.0.1:0"\n')
    async with app:
        with caplog.at_level(logging.WARNING, logger="jobify.web"):
            await serving.start(app)
        assert serving.served(app) is None
    assert "not served" in caplog.text
    assert "JOBIFY_WEB_TOKEN" in caplog.text


async def test_a_producer_does_not_serve(make_app, token, monkeypatch):
    monkeypatch.setenv("JOBIFY_WEB_TOKEN", token)
    app = make_app(toml='[jobify.web]\nlisten = "127.0.0.1:0"\n', role="producer")
    async with app:
        await serving.start(app)
        assert serving.served(app) is None


async def test_a_bad_table_fails_the_app_and_a_busy_port_its_startup(make_app, token, monkeypatch):
    monkeypatch.setenv("JOBIFY_WEB_TOKEN", token)
    with pytest.raises(ConfigError, match=r"\[jobify.web\]: unknown key 'page_sise'.*'page_size'"):
        make_app(toml='[jobify.web]\nlisten = "127.0.0.1:0"\npage_sise = 10\n')
    with pytest.raises(ConfigError, match=r"\[jobify.web\] listen = '127.0.0.1:99999'.*0 to 65535"):
        make_app(toml='[jobify.web]\nlisten = "127.0.0.1:99999"\n')
    first = make_app(toml='[jobify.web]\nlisten = "127.0.0.1:0"\n')
    async with first:
        port = serving.served(first).port
        second = make_app(toml=f'[jobify.web]\nlisten = "127.0.0.1:{port}"\n')
        with pytest.raises(ConfigError, match=f"listen = '127.0.0.1:{port}': cannot serve"):
            await second.startup()
        await second.shutdown()


APP = """
from jobify import Jobify

app = Jobify()


@app.task(name="hello", cron="*/5 * * * * * *", durable=False)
async def hello() -> None:
    print("[hello]", flush=True)
"""


def read_until(proc: subprocess.Popen[str], pattern: str, seen: list[str], timeout: float = 20):
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while True:
            for line in seen:
                found = re.search(pattern, line)
                if found:
                    return found
            assert time.monotonic() < deadline, "".join(seen)
            if selector.select(timeout=0.2):
                line = proc.stdout.readline()
                assert line, "".join(seen)
                seen.append(line)
    finally:
        selector.close()


@pytest.mark.slow
def test_jobify_run_serves_the_dashboard(tmp_path: Path, token: str):
    (tmp_path / "webapp.py").write_text(APP)
    (tmp_path / "jobify.toml").write_text(
        '[jobify]\napp = "webapp:app"\n[jobify.storage]\nuse = false\n'
        '[jobify.web]\nlisten = "127.0.0.1:0"\n'
    )
    env = {**os.environ, "JOBIFY_WEB_TOKEN": token}
    for name in ("JOBIFY_CONFIG", "JOBIFY_DISABLE_PLUGIN_AUTOLOAD"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobify.cli", "run"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    seen: list[str] = []
    try:
        url = read_until(proc, r"dashboard: serving on (http://127\.0\.0\.1:\d+)/", seen).group(1)
        with httpx.Client(base_url=url, timeout=10) as http:
            assert http.get("/api/jobs").status_code == 401
            auth = {"Authorization": f"Bearer {token}"}
            jobs = http.get("/api/jobs", headers=auth).json()
            assert [j["id"] for j in jobs["jobs"]] == ["hello__jobify_cron_definition"]
            assert jobs["source"] == "process"  # storage off: this process's live jobs
            assert "hello" in http.get("/", headers=auth).text
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=20)
    output = "".join(seen) + rest
    assert proc.returncode == 0, output
    assert "dashboard: stopped" in output
    assert "Jobify shut down" in output
    assert token not in output
