"""`jobify jobs pause|resume|run|cancel ID` and `jobify jobs history ID`, on a SQLite file.

The commands write through the storage's ControlStorage ability (reading
through InspectableStorage first, so a missing database is an error and is
never created), acknowledge with exit code 0 once the change is stored, and
name the id when there is no such job. A running scheduler picking the change
up is tested with real processes in tests/reliability/test_operations.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jobify import JobStatus
from jobify.cli import main
from jobify.storage import JobOutcome, RunRecord, ScheduledJob, SQLiteStorage

T0 = datetime(2030, 1, 15, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JOBIFY_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def config(tmp_path: Path, extra: str = "", tables: str = "") -> Path:
    path = tmp_path / "jobify.toml"
    path.write_text(f'[jobify]\n{extra}[jobify.storage]\ndatabase = "jobs.db"\n{tables}')
    return path


def on_storage(path: Path, action: Callable[[SQLiteStorage], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        storage = SQLiteStorage(path)
        await storage.startup()
        try:
            return await action(storage)
        finally:
            await storage.shutdown()

    return asyncio.run(go())


def row(job_id: str, name: str = "report", minutes: int = 0) -> ScheduledJob:
    return ScheduledJob(job_id, name, b"{}", JobStatus.SCHEDULED, T0 + timedelta(minutes=minutes))


def run(job_id: str, seconds: float, status: JobStatus = JobStatus.SUCCESS, **kw: Any) -> RunRecord:
    started = T0 + timedelta(seconds=1)
    return RunRecord(
        job_id, "report", T0, started, started + timedelta(seconds=seconds), status, 1, "web-1:42",
        **kw,
    )  # fmt: skip


def stored(path: Path, job_id: str) -> Any:
    return on_storage(path, lambda s: s.get_stored_job(job_id))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    config(tmp_path, tables="[jobify.history]\n")
    path = tmp_path / "jobs.db"
    on_storage(path, lambda s: s.add_schedule(row("a"), row("b", "cleanup", 5)))
    return path


def test_pause_resume_and_run_are_stored_and_acknowledged(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = f"SQLite file {str(db)!r}, table 'jobify_schedules'"
    assert main(["jobs", "pause", "a"]) == 0
    assert capsys.readouterr().out == f"job 'a' paused in {where}\n"
    assert stored(db, "a").paused
    assert main(["jobs", "--status", "paused"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines[1:-1]] == [["a", "report", "paused"]]
    assert lines[-1] == f"1 of 2 job(s) (--status paused) in {where}"
    assert main(["jobs", "resume", "a"]) == 0
    assert capsys.readouterr().out == f"job 'a' resumed in {where}\n"
    assert not stored(db, "a").paused
    assert main(["jobs", "run", "b"]) == 0
    assert capsys.readouterr().out == f"job 'b' asked to run now in {where}\n"
    assert stored(db, "b").run_requested
    assert main(["jobs", "--json"]) == 0
    jobs = {j["id"]: j for j in json.loads(capsys.readouterr().out)["jobs"]}
    assert (jobs["a"]["status"], jobs["a"]["paused"]) == ("scheduled", False)
    assert jobs["b"]["run_requested"] is True


def test_cancel_keeps_a_cancelled_outcome_while_results_are_kept(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "cancel", "a"]) == 0
    assert capsys.readouterr().out.startswith("job 'a' cancelled in SQLite file")
    assert stored(db, "a") is None
    outcome = on_storage(db, lambda s: s.get_outcome("a"))
    assert (outcome.name, outcome.status, outcome.result) == ("report", JobStatus.CANCELLED, None)
    assert main(["jobs", "pause", "a"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: jobify jobs pause: no job 'a' in SQLite file")
    assert ": it finished (cancelled, " in err


def test_cancel_without_kept_results_only_deletes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config(tmp_path, extra="results_ttl = 0\n")
    path = tmp_path / "jobs.db"
    on_storage(path, lambda s: s.add_schedule(row("a")))
    assert main(["jobs", "cancel", "a"]) == 0
    assert stored(path, "a") is None
    assert on_storage(path, lambda s: s.get_outcome("a")) is None


@pytest.mark.parametrize("action", ["pause", "resume", "run", "cancel", "history"])
def test_an_unknown_id_is_named_with_exit_code_1(
    db: Path, action: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", action, "nope\x1b[2J"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"error: jobify jobs {action}: no job 'nope\\x1b[2J' in SQLite file" in captured.err
    assert "\x1b" not in captured.err


@pytest.mark.parametrize("action", ["pause", "resume", "run", "cancel", "history"])
def test_a_missing_database_is_an_error_and_is_not_created(
    tmp_path: Path, action: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config(tmp_path, tables="[jobify.history]\n")
    assert main(["jobs", action, "a"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: jobify jobs {action}: SQLite file {str(tmp_path / 'jobs.db')!r} does not exist"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobify.toml"]


def test_a_set_aside_job_is_not_paused_but_can_be_cancelled(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    on_storage(db, lambda s: s.set_aside("a", "no task named 'report'"))
    assert main(["jobs", "pause", "a"]) == 1
    assert capsys.readouterr().err == (
        "error: jobify jobs pause: job 'a' is set aside (no task named 'report'): it does not "
        "run; fix its task or cancel it\n"
    )
    assert main(["jobs", "cancel", "a"]) == 0
    assert stored(db, "a") is None


def test_the_listing_shows_each_jobs_last_run(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    on_storage(
        db,
        lambda s: s.record_runs(
            run("a", 0.5), run("a", 75, JobStatus.FAILED, error_type="ValueError",
                               error_message="ValueError: no")
        ),
    )  # fmt: skip
    assert main(["jobs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-3:] == ["LAST", "RUN", "TOOK"]
    assert lines[1].split()[-5:] == ["failed", "1", "min", "15", "s"]
    assert lines[2].split()[-2:] == ["-", "-"]
    assert main(["jobs", "--json", "--task", "report"]) == 0
    [job] = json.loads(capsys.readouterr().out)["jobs"]
    assert job["last_run"] == {
        "status": "failed",
        "planned_at": "2030-01-15T08:00:00+00:00",
        "started_at": "2030-01-15T08:00:01+00:00",
        "finished_at": "2030-01-15T08:01:16+00:00",
        "duration_seconds": 75.0,
        "attempt": 1,
        "node": "web-1:42",
        "error": "ValueError: no",
    }


def test_the_listing_marks_missed_starts_and_overruns_per_jobify_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config(tmp_path, tables="[jobify.history]\n[jobify.alerts]\nstart_grace = 30\nrun_grace = 10\n")
    path = tmp_path / "jobs.db"
    now = datetime.now(UTC)
    overdue = ScheduledJob(
        "overdue", "report", b"{}", JobStatus.SCHEDULED, now - timedelta(hours=1)
    )
    in_grace = ScheduledJob(
        "in-grace", "report", b"{}", JobStatus.SCHEDULED, now - timedelta(seconds=5)
    )
    paused = ScheduledJob("paused", "report", b"{}", JobStatus.SCHEDULED, now - timedelta(hours=2))

    async def seed(s: SQLiteStorage) -> None:
        await s.add_schedule(overdue, in_grace, paused, row("slow", minutes=60 * 24 * 365 * 5))
        await s.record_runs(run("slow", 25), run("in-grace", 9.5))
        await s.set_paused("paused", paused=True)

    on_storage(path, seed)
    assert main(["jobs", "--json"]) == 0
    missed = {j["id"]: j["missed"] for j in json.loads(capsys.readouterr().out)["jobs"]}
    assert missed["in-grace"] is None and missed["paused"] is None
    assert missed["slow"] == {"finish": 15.0}
    assert missed["overdue"].keys() == {"start"}
    assert 3600 <= missed["overdue"]["start"] < 3600 + 60
    assert main(["jobs"]) == 0
    text = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "scheduled (missed: not started, 60 min 00 s late)" in text["overdue"]
    assert "(last run 15.0 s over run_grace)" in text["slow"]
    assert "missed" not in text["in-grace"] + text["paused"]
    # without [jobify.alerts] nothing is marked
    config(tmp_path, tables="[jobify.history]\n")
    assert main(["jobs", "--json"]) == 0
    assert {j["missed"] for j in json.loads(capsys.readouterr().out)["jobs"]} == {None}


def test_history_lists_runs_newest_first_with_a_limit(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = [run("a", i + 0.25) for i in range(5)] + [run("b", 1)]
    on_storage(db, lambda s: s.record_runs(*runs))
    assert main(["jobs", "history", "a", "--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["STARTED", "(UTC)", "STATUS", "TOOK", "ATTEMPT", "LATE", "ERROR"]
    assert [line.split()[3] for line in lines[1:4]] == ["4.25", "3.25", "2.25"]
    assert lines[-1].startswith("3 run(s) of job 'a', newest first, in SQLite file")
    assert main(["jobs", "history", "a", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["job_id"], document["count"]) == ("a", 5)
    assert [r["duration_seconds"] for r in document["runs"]] == [4.25, 3.25, 2.25, 1.25, 0.25]
    assert document["runs"][0]["run_id"] > document["runs"][1]["run_id"]
    with pytest.raises(SystemExit):
        main(["jobs", "history", "a", "--limit", "0"])


def test_history_of_a_finished_job_and_history_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config(tmp_path)  # no [jobify.history]: the app records no runs
    path = tmp_path / "jobs.db"
    on_storage(path, lambda s: s.add_schedule(row("pending")))
    on_storage(
        path,
        lambda s: s.finish_jobs(JobOutcome("done", "report", JobStatus.SUCCESS, b"1", None, T0)),
    )
    assert main(["jobs", "history", "pending"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 run(s) of job 'pending'")
    assert "run history is off: [jobify.history] enabled = true keeps it" in out
    assert main(["jobs", "history", "done"]) == 0
    assert capsys.readouterr().out.startswith("0 run(s) of job 'done'")


def test_actions_accept_the_config_before_or_after_the_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    cfg = other / "jobify.toml"
    cfg.write_text(f'[jobify]\n[jobify.storage]\ndatabase = "{other / "jobs.db"}"\n')
    on_storage(other / "jobs.db", lambda s: s.add_schedule(row("a")))
    assert main(["jobs", "pause", "a", "--config", str(cfg)]) == 0
    assert stored(other / "jobs.db", "a").paused
    assert main(["jobs", "--config", str(cfg), "resume", "a"]) == 0
    assert not stored(other / "jobs.db", "a").paused
    assert not (tmp_path / "jobs.db").exists()


def test_storage_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "jobify.toml").write_text("[jobify]\n[jobify.storage]\nuse = false\n")
    assert main(["jobs", "pause", "a"]) == 1
    assert "storage is off" in capsys.readouterr().err
