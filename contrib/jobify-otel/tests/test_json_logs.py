"""JSON log lines carry the run's ids and, with this plugin, its trace and span ids."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobify import Jobify
from jobify.logs import JsonFormatter

task_log = logging.getLogger("jobify.test.otel")


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("jobify")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_a_line_of_a_run_carries_its_trace_and_span_ids(
    tmp_path: Path, otel: Any, stream: io.StringIO
) -> None:
    cfg = tmp_path / "jobify.toml"
    cfg.write_text("[jobify.logging]\njson = true\n")
    app = Jobify.from_config(cfg, storage=False)

    @app.task(name="traced")
    async def traced() -> None:
        task_log.info("working")

    async with app:
        job = await traced.schedule().delay(0, job_id="t-1")
        await job.wait()
    (span,) = otel.spans()
    (line,) = [json.loads(x) for x in stream.getvalue().splitlines() if '"working"' in x]
    assert line["job_id"] == "t-1"
    assert line["task"] == "traced"
    assert line["attempt"] == 1
    assert line["trace_id"] == f"{span.context.trace_id:032x}"
    assert line["span_id"] == f"{span.context.span_id:016x}"


SERVICE = """
import logging
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from jobify import Cron, Jobify

trace.set_tracer_provider(TracerProvider())
app = Jobify()
log = logging.getLogger("svc")

@app.task(name="hello", cron=Cron("* * * * * * *"), durable=False)
async def hello() -> None:
    log.info("hello from a run")
"""


def test_jobify_run_writes_json_lines_with_run_and_trace_ids(tmp_path: Path) -> None:
    (tmp_path / "svc.py").write_text(SERVICE)
    (tmp_path / "jobify.toml").write_text(
        '[jobify]\napp = "svc:app"\n[jobify.storage]\nuse = false\n[jobify.logging]\njson = true\n'
    )
    out_file = tmp_path / "out.log"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("JOBIFY_CONFIG", None)
    with out_file.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jobify.cli", "run"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "hello from a run" not in out_file.read_text():
            assert proc.poll() is None, out_file.read_text()
            assert time.monotonic() < deadline, out_file.read_text()
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0, out_file.read_text()
    lines = [json.loads(line) for line in out_file.read_text().splitlines()]  # every line is JSON
    hello = next(line for line in lines if line["message"] == "hello from a run")
    assert hello["logger"] == "svc"
    assert hello["level"] == "INFO"
    assert hello["task"] == "hello"
    assert hello["job_id"]
    assert len(hello["trace_id"]) == 32
    assert len(hello["span_id"]) == 16
    started = next(line for line in lines if line["message"].startswith("Jobify started"))
    assert "job_id" not in started
