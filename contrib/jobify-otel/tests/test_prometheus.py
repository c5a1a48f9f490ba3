"""The Prometheus endpoint: the same metrics, served by ``jobify run`` where jobify.toml says."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jobify import Jobify
from jobify.cli import main as jobify_main
from jobify.exceptions import ConfigError
from jobify_otel.telemetry import TELEMETRY

URL = re.compile(r"Prometheus metrics at (http://\S+/metrics)")


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the endpoint: (name, labels) -> value."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def labels(**given: str) -> frozenset[tuple[str, str]]:
    return frozenset(given.items())


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jobify.toml"
    path.write_text(text)
    return path


async def test_the_endpoint_serves_the_metrics_with_their_labels(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="jobify.otel")
    app = Jobify.from_config(config(tmp_path, '[jobify.metrics]\nlisten = ":0"\n'), storage=False)

    @app.task(name="ok")
    async def ok() -> None:
        return None

    @app.task(name="bad", retry=1)
    async def bad() -> None:
        raise RuntimeError("no")

    async with app:
        (url,) = URL.findall(caplog.text)
        assert url.startswith("http://127.0.0.1:")  # a port alone binds loopback
        for job in [await ok.push(), await ok.push(), await bad.push()]:
            await job.wait()
        await ok.schedule().delay(3600)
        samples = await asyncio.to_thread(scrape, url)
    assert samples[("jobify_runs_total", labels(task="ok", status="success"))] == 2
    assert samples[("jobify_runs_total", labels(task="bad", status="failed"))] == 1
    assert samples[("jobify_run_duration_seconds_count", labels(task="ok", status="success"))] == 2
    assert samples[("jobify_run_lateness_seconds_count", labels(task="ok"))] == 2
    assert samples[("jobify_run_lateness_seconds_bucket", labels(task="ok", le="+Inf"))] == 2
    assert samples[("jobify_run_retries_total", labels(task="bad"))] == 1
    assert samples[("jobify_jobs_pending", labels())] == 1
    assert samples[("jobify_jobs_running", labels())] == 0
    with pytest.raises(urllib.error.URLError):  # stopped with the app
        await asyncio.to_thread(scrape, url)


async def test_off_by_default(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="jobify.otel")
    app = Jobify.from_config(config(tmp_path, "[jobify]\n"), storage=False)
    async with app:
        assert TELEMETRY._endpoints == {}
    assert "Prometheus" not in caplog.text


async def test_a_producer_serves_no_endpoint(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="jobify.otel")
    cfg = config(tmp_path, 'role = "producer"\n[jobify.metrics]\nlisten = ":0"\n')
    cfg.write_text("[jobify]\n" + cfg.read_text())
    app = Jobify.from_config(cfg, storage=False)
    async with app:
        assert TELEMETRY._endpoints == {}
    assert "not served by a producer" in caplog.text


async def test_an_address_in_use_fails_startup_saying_where(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cfg = config(tmp_path, f'[jobify.metrics]\nlisten = "127.0.0.1:{port}"\n')
        app = Jobify.from_config(cfg, storage=False)
        with pytest.raises(ConfigError) as info:
            await app.startup()
    assert str(info.value).startswith(
        f"{cfg} [jobify.metrics] listen = '127.0.0.1:{port}': cannot listen on 127.0.0.1:{port}"
    )
    assert "choose another address" in str(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"localhost"', 'listen = \'localhost\': expected "host:port", ":port" or a port'),
        ('"127.0.0.1:99999"', "port '99999' is not in 0..65535"),
        ("true", 'expected a "host:port" str, a port or None, got bool'),
        ('"x"\nlisten_on = 1', "unknown key 'listen_on'. Valid keys: listen."),
    ],
)
def test_jobify_check_refuses_a_bad_table(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
    expected: str,
) -> None:
    cfg = config(tmp_path, f"[jobify.storage]\nuse = false\n[jobify.metrics]\nlisten = {value}\n")
    monkeypatch.chdir(tmp_path)
    assert jobify_main(["check", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert f"error: {cfg} [jobify.metrics]" in err
    assert expected in err


def test_jobify_check_accepts_and_shows_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(
        tmp_path, '[jobify.storage]\nuse = false\n[jobify.metrics]\nlisten = "[::1]:9464"\n'
    )
    monkeypatch.chdir(tmp_path)
    assert jobify_main(["check", "--config", str(cfg)]) == 0
    assert "[jobify.metrics]: jobify-otel (plugin 'otel')" in capsys.readouterr().out


SERVICE = """
from jobify import Cron, Jobify

app = Jobify()
ticks = 0

@app.task(name="ok")
async def ok(n: int) -> int:
    return n

@app.task(name="bad")
async def bad() -> None:
    raise ValueError("on purpose")

@app.task(name="later")
async def later() -> None:
    return None

@app.task(name="tick", cron=Cron("* * * * * * *"), durable=False)
async def tick() -> None:
    global ticks
    ticks += 1
    if ticks == 1:
        for n in range(3):
            await ok.push(n)
        await bad.push()
        await later.schedule().delay(3600)
"""


def test_jobify_run_serves_the_endpoint(tmp_path: Path) -> None:
    (tmp_path / "svc.py").write_text(SERVICE)
    config(
        tmp_path,
        '[jobify]\napp = "svc:app"\n[jobify.storage]\nuse = false\n'
        '[jobify.metrics]\nlisten = "127.0.0.1:0"\n',
    )
    log_file = tmp_path / "out.log"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("JOBIFY_CONFIG", None)
    with log_file.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jobify.cli", "run"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    try:
        url = None
        deadline = time.monotonic() + 60
        samples: dict[Any, float] = {}
        while time.monotonic() < deadline:
            assert proc.poll() is None, log_file.read_text()
            found = URL.findall(log_file.read_text())
            if found:
                url = found[0]
                samples = scrape(url)
                if samples.get(("jobify_runs_total", labels(task="ok", status="success"))) == 3:
                    break
            time.sleep(0.1)
        assert url is not None, log_file.read_text()
        assert samples[("jobify_runs_total", labels(task="ok", status="success"))] == 3
        assert samples[("jobify_runs_total", labels(task="bad", status="failed"))] == 1
        assert samples[("jobify_run_duration_seconds_count", labels(task="bad", status="failed"))]
        assert samples[("jobify_run_lateness_seconds_count", labels(task="ok"))] == 3
        assert samples[("jobify_runs_total", labels(task="tick", status="success"))] >= 1
        assert samples[("jobify_jobs_pending", labels())] >= 1  # later, and tick between runs
        assert samples[("jobify_jobs_running", labels())] >= 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0, log_file.read_text()
