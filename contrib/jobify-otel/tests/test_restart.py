"""Across processes and a restart: the run links to the span that pushed it.

Two processes on one SQLite file. The first pushes a delayed durable job
under a span and exits before it is due; the second (a restart) restores the
job from the file and runs it. The trace context travelled in the stored
job's headers: the second process's run span links to the first's span.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

APP = """
import asyncio, json, os, sys

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from jobify import Jobify

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)

app = Jobify()  # SQLite in ./jobs.db (jobify.toml)


@app.task(name="report")
async def report(n: int) -> int:
    return n * 2


def ids(ctx):
    return {"trace_id": f"{ctx.trace_id:032x}", "span_id": f"{ctx.span_id:016x}"}


async def push():
    async with app:
        with trace.get_tracer("web").start_as_current_span("POST /reports") as span:
            job = await report.schedule(21).delay(2.0, job_id="report-1")
        print(json.dumps({"pid": os.getpid(), "job_id": job.id, **ids(span.get_span_context())}))
    # shutdown keeps the durable row: the job has not run here


async def run():
    async with app:
        await app.wait_all(timeout=30)
    spans = [
        {
            "name": s.name,
            **ids(s.context),
            "parent": None if s.parent is None else f"{s.parent.span_id:016x}",
            "links": [ids(link.context) for link in s.links],
            "attributes": dict(s.attributes),
        }
        for s in exporter.get_finished_spans()
    ]
    print(json.dumps({"pid": os.getpid(), "spans": spans}))


asyncio.run(push() if sys.argv[1] == "push" else run())
"""


def run(tmp_path: Path, mode: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("JOBIFY_CONFIG", None)
    env.pop("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", None)
    proc = subprocess.run(
        [sys.executable, "restart_app.py", mode],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_a_run_after_a_restart_links_to_the_span_that_pushed_it(tmp_path: Path) -> None:
    (tmp_path / "restart_app.py").write_text(APP)
    (tmp_path / "jobify.toml").write_text('[jobify.storage]\ndatabase = "jobs.db"\n')
    pushed = run(tmp_path, "push")
    assert (tmp_path / "jobs.db").exists()
    ran = run(tmp_path, "run")
    assert ran["pid"] != pushed["pid"]
    (span,) = [s for s in ran["spans"] if s["name"] == "run report"]
    assert span["links"] == [{"trace_id": pushed["trace_id"], "span_id": pushed["span_id"]}]
    assert span["parent"] is None
    assert span["trace_id"] != pushed["trace_id"]
    assert span["attributes"]["jobify.job.id"] == "report-1"
    assert span["attributes"]["jobify.task"] == "report"
    assert span["attributes"]["jobify.status"] == "success"
