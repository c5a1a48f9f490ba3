"""`jobify jobs`: read-only, names what it read, filters, JSON, time zone, escaping, pipes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobify import JobStatus
from jobify.cli import main
from jobify.storage import ScheduledJob, SQLiteStorage

T0 = datetime(2030, 1, 15, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JOBIFY_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def store(path: Path, *rows: ScheduledJob) -> None:
    async def write() -> None:
        storage = SQLiteStorage(path)
        await storage.startup()
        try:
            await storage.add_schedule(*rows)
        finally:
            await storage.shutdown()

    asyncio.run(write())


def row(job_id: str, name: str = "report", minutes: int = 0) -> ScheduledJob:
    when = T0.replace(minute=minutes)
    return ScheduledJob(job_id, name, b"{}", JobStatus.SCHEDULED, when)


def config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "jobify.toml"
    path.write_text(f'[jobify]\n{extra}[jobify.storage]\ndatabase = "jobs.db"\n')
    return path


def test_a_missing_database_is_an_error_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path)
    assert main(["jobs"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: jobify jobs: SQLite file {str(tmp_path / 'jobs.db')!r} does not exist"
    )
    assert f"the storage is configured in {cfg} [jobify.storage]" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobify.toml"]


def test_without_a_config_the_error_says_the_default_was_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JOBIFY_CONFIG", "")
    assert main(["jobs"]) == 1
    err = capsys.readouterr().err
    assert f"SQLite file {str(tmp_path / 'jobify.db')!r} does not exist" in err
    assert f"the storage is the default one: no config file was found in {tmp_path}" in err
    assert list(tmp_path.iterdir()) == []


def test_lists_with_a_count_line_naming_the_file_in_the_apps_time_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config(tmp_path, extra='tz = "Europe/Berlin"\n')
    store(tmp_path / "jobs.db", row("b", minutes=5), row("a", "cleanup"))
    assert main(["jobs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "ID", "TASK", "STATUS", "NEXT", "RUN", "(Europe/Berlin)", "LAST", "RUN", "TOOK",
    ]  # fmt: skip
    assert lines[1].split() == [
        "a",
        "cleanup",
        "scheduled",
        "2030-01-15",
        "09:00:00+01:00",
        "-",
        "-",
    ]
    assert lines[2].split() == [
        "b",
        "report",
        "scheduled",
        "2030-01-15",
        "09:05:00+01:00",
        "-",
        "-",
    ]
    assert lines[3] == (
        f"2 job(s) in SQLite file {str(tmp_path / 'jobs.db')!r}, table 'jobify_schedules'"
    )


def test_an_empty_database_still_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config(tmp_path)
    store(tmp_path / "jobs.db")
    assert main(["jobs"]) == 0
    assert capsys.readouterr().out == (
        f"0 job(s) in SQLite file {str(tmp_path / 'jobs.db')!r}, table 'jobify_schedules'\n"
    )


def test_filters_by_task_and_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config(tmp_path)
    store(tmp_path / "jobs.db", row("a"), row("b", "cleanup"), row("c"))
    assert main(["jobs", "--task", "report"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:-1]] == ["a", "c"]
    assert lines[-1].startswith("2 of 3 job(s) (--task report) in SQLite file ")
    assert main(["jobs", "--status", "running"]) == 0
    assert capsys.readouterr().out.startswith("0 of 3 job(s) (--status running) in ")
    with pytest.raises(SystemExit):
        main(["jobs", "--status", "bogus"])
    assert "invalid choice: 'bogus'" in capsys.readouterr().err


def test_json_is_one_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config(tmp_path, extra='tz = "America/New_York"\n')
    store(tmp_path / "jobs.db", row("a"), row("b", "cleanup"))
    assert main(["jobs", "--json", "--task", "cleanup"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document == {
        "storage": f"SQLite file {str(tmp_path / 'jobs.db')!r}, table 'jobify_schedules'",
        "time_zone": "America/New_York",
        "count": 1,
        "total": 2,
        "jobs": [
            {
                "id": "b",
                "task": "cleanup",
                "status": "scheduled",
                "next_run_at": "2030-01-15T03:00:00-05:00",
                "set_aside_reason": None,
                "paused": False,
                "run_requested": False,
                "last_run": None,
                "missed": None,
            }
        ],
    }


def test_control_characters_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config(tmp_path)
    evil_id = "x\x1b]0;owned\x07\x1b[2J"
    evil_name = "task\u202eevil\nnext"
    store(tmp_path / "jobs.db", row(evil_id, evil_name))
    assert main(["jobs"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    lines = out.splitlines()
    assert len(lines) == 3  # header, one row, count: the newline in the name is escaped
    assert lines[1].startswith("x\\x1b]0;owned\\x07\\x1b[2J  task\\u202eevil\\nnext  scheduled")
    assert main(["jobs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["jobs"][0]["id"] == evil_id  # exact, in JSON


def test_set_aside_rows_show_their_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config(tmp_path)

    async def write() -> None:
        storage = SQLiteStorage(tmp_path / "jobs.db")
        await storage.startup()
        try:
            await storage.add_schedule(row("a"), row("b"))
            await storage.set_aside("b", "no task named 'report'")
        finally:
            await storage.shutdown()

    asyncio.run(write())
    assert main(["jobs", "--status", "set-aside"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:2] == ["b", "report"]
    assert "set aside: no task named 'report'" in lines[1]
    assert lines[-1].startswith("1 of 2 job(s) (--status set-aside)")


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    config(tmp_path)
    store(tmp_path / "jobs.db", *(row(f"job-{n:05d}") for n in range(3000)))
    env = {**os.environ}
    env.pop("JOBIFY_CONFIG", None)
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{sys.executable} -m jobify.cli jobs | head -1"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:6] == ["ID", "TASK", "STATUS", "NEXT", "RUN", "(UTC)"]
    assert "Traceback" not in result.stderr
    assert "BrokenPipeError" not in result.stderr
