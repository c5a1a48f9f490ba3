"""The database file deleted or replaced under a running app is reported; startup says what it found."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sqlite3
import time

import pytest

from jobify import Jobify
from jobify_storage_sqlite import SQLiteStorage


class _JSON:
    def dumpb(self, data):
        return json.dumps(data).encode()

    def loadb(self, data):
        return json.loads(data)


def make_app(path):
    app = Jobify(storage=SQLiteStorage(path), serializer=_JSON(), cron_factory=lambda e: None)

    @app.task(name="later")
    async def later(n: int) -> None:
        del n

    return app


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def _wait_for_error(caplog: pytest.LogCaptureFixture, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in _errors(caplog) if text in m]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no ERROR with {text!r}: {_errors(caplog)}"
        await asyncio.sleep(0.02)


async def test_a_deleted_file_is_reported_at_the_next_write(tmp_path, caplog):
    path = tmp_path / "jobs.db"
    app = make_app(path)
    async with app:
        later = app.registry.routes["later"]
        await later.schedule(1).delay(3600, job_id="first")
        path.unlink()
        assert not _errors(caplog)
        await later.schedule(2).delay(3600, job_id="second")  # the next write batch
        message = await _wait_for_error(caplog, "was deleted while the app runs", timeout=5)
    assert str(path) in message
    assert "1 stored job(s) in it now" in message  # counted before the batch
    assert "put the file back" in message
    assert len([m for m in _errors(caplog) if "was deleted" in m]) == 1, "once per change"


async def test_a_replaced_file_is_reported_at_the_next_write(tmp_path, caplog):
    path = tmp_path / "jobs.db"
    app = make_app(path)
    async with app:
        later = app.registry.routes["later"]
        await later.schedule(1).delay(3600, job_id="first")
        backup = tmp_path / "backup.db"
        with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
            source.backup(target)
        shutil.move(backup, path)  # a restore from a backup, under the running app
        await later.schedule(2).delay(3600, job_id="second")
        message = await _wait_for_error(caplog, "was replaced by another file", timeout=5)
    assert str(path) in message
    assert "Stop the app and put the right file" in message


async def test_an_idle_app_notices_within_the_watch_interval(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr("jobify_storage_sqlite.storage.WATCH_SECONDS", 0.1)
    path = tmp_path / "jobs.db"
    async with make_app(path):
        path.unlink()  # no write follows: the worker's idle check finds it
        message = await _wait_for_error(caplog, "was deleted while the app runs", timeout=10)
    assert str(path) in message


def test_the_idle_check_runs_every_30_seconds():
    from jobify_storage_sqlite import storage

    assert 0 < storage.WATCH_SECONDS <= 60


async def test_startup_says_which_file_it_opened_and_what_it_holds(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="jobify.storage.sqlite")
    path = tmp_path / "jobs.db"
    app = make_app(path)
    async with app:
        for n in range(3):
            await app.registry.routes["later"].schedule(n).delay(3600)
    found = [r.getMessage() for r in caplog.records if r.name == "jobify.storage.sqlite"]
    assert found == [f"SQLite file {path} created (it did not exist), table 'jobify_schedules'"]
    caplog.clear()
    async with make_app(path):
        pass
    found = [r.getMessage() for r in caplog.records if r.name == "jobify.storage.sqlite"]
    assert found == [f"SQLite file {path}, table 'jobify_schedules': 3 stored job(s)"]
