"""JSON log lines (``[jobify.logging] json = true``): each line parses and carries its run."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobify import Jobify
from jobify.logs import JsonFormatter, add_fields, current_run

task_log = logging.getLogger("jobify.test.task")


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Every line of the ``jobify`` logger (and its children), formatted as JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("jobify")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def parsed(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def make_app(tmp_path: Path, *, json_logs: bool) -> Jobify:
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(f"[jobify.logging]\njson = {'true' if json_logs else 'false'}\n")
    return Jobify.from_config(cfg, storage=False)


def test_a_line_outside_any_run_has_time_level_logger_message() -> None:
    record = logging.LogRecord("jobify", logging.WARNING, __file__, 1, "hello %s", ("x",), None)
    record.created = 1_900_000_000.25
    data = json.loads(JsonFormatter().format(record))
    assert data == {
        "time": "2030-03-17T17:46:40.250Z",
        "level": "WARNING",
        "logger": "jobify",
        "message": "hello x",
    }


def test_an_exception_is_its_traceback_text() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("jobify").makeRecord(
            "jobify",
            logging.ERROR,
            __file__,
            1,
            "failed",
            (),
            exc_info=__import__("sys").exc_info(),
        )
    data = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in data["exc_info"]
    assert data["message"] == "failed"


async def test_lines_of_a_run_carry_job_id_task_attempt_and_planned_time(
    tmp_path: Path, lines: io.StringIO
) -> None:
    app = make_app(tmp_path, json_logs=True)
    calls = 0

    @app.task(name="flaky", retry=1)
    async def flaky() -> None:
        nonlocal calls
        calls += 1
        task_log.info("call %d", calls)
        if calls == 1:
            raise RuntimeError("first call fails")

    async with app:
        job = await flaky.schedule().delay(0, job_id="j-1")
        await job.wait()
    rows = [r for r in parsed(lines) if r["logger"] == "jobify.test.task"]
    assert [r["message"] for r in rows] == ["call 1", "call 2"]
    assert [r["attempt"] for r in rows] == [1, 2]
    for row in rows:
        assert row["job_id"] == "j-1"
        assert row["task"] == "flaky"
        assert row["planned_at"] == job.exec_at.isoformat()
    retry_line = next(r for r in parsed(lines) if "retry 1/1" in str(r["message"]))
    assert retry_line["job_id"] == "j-1"  # the kernel's own lines of the run too
    started = next(r for r in parsed(lines) if str(r["message"]).startswith("Jobify started"))
    assert "job_id" not in started  # not in a run


async def test_with_json_logs_off_no_run_is_marked(tmp_path: Path, lines: io.StringIO) -> None:
    app = make_app(tmp_path, json_logs=False)
    seen: list[object] = []

    @app.task
    async def quiet() -> None:
        seen.append(current_run())
        task_log.info("inside")

    async with app:
        await (await quiet.push()).wait()
    assert seen == [None]
    row = next(r for r in parsed(lines) if r["message"] == "inside")
    assert "job_id" not in row


async def test_a_run_mark_does_not_leak_into_the_next_run(
    tmp_path: Path, lines: io.StringIO
) -> None:
    app = make_app(tmp_path, json_logs=True)
    marks: list[str | None] = []

    @app.task
    async def child(tag: str) -> None:
        run = current_run()
        marks.append(None if run is None else run.job_id)

    @app.task
    async def parent() -> None:
        await (await child.schedule("c").delay(0, job_id="child-1")).wait()

    async with app:
        await (await parent.schedule().delay(0, job_id="parent-1")).wait()
    assert marks == ["child-1"]


def test_plugins_add_fields_through_the_seam() -> None:
    record = logging.LogRecord("jobify", logging.INFO, __file__, 1, "m", (), None)

    def broken() -> dict[str, str]:
        raise RuntimeError("a provider's error loses no line")

    remove_ids = add_fields(lambda: {"trace_id": "abc"})
    remove_broken = add_fields(broken)
    try:
        assert json.loads(JsonFormatter().format(record))["trace_id"] == "abc"
    finally:
        remove_ids()
        remove_broken()
    assert "trace_id" not in json.loads(JsonFormatter().format(record))
