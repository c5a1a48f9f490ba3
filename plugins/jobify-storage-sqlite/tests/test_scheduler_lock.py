"""One scheduler per table: the lock file beside the database, with the kernel and alone."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from jobify import Jobify
from jobify.exceptions import SchedulerLockedError
from jobify.storage import SchedulerLock
from jobify_storage_sqlite import SQLiteStorage, SQLiteStorageStateError


class _JSON:
    def dumpb(self, data):
        return json.dumps(data).encode()

    def loadb(self, data):
        return json.loads(data)


def make_app(path, **options):
    return Jobify(
        storage=SQLiteStorage(path, **options), serializer=_JSON(), cron_factory=lambda e: None
    )


def test_sqlite_storage_declares_the_ability(tmp_path):
    assert isinstance(SQLiteStorage(tmp_path / "jobs.db"), SchedulerLock)


async def test_two_apps_in_one_process_on_one_file_are_refused(tmp_path):
    path = tmp_path / "jobs.db"
    first, second = make_app(path), make_app(path)
    async with first:
        with pytest.raises(SchedulerLockedError) as refused:
            await second.startup()
        assert not second.configs.app_started
        text = str(refused.value)
        assert text.startswith(
            f"SQLite file {str(path)!r}, table 'jobify_schedules' already has a scheduler: it is "
            f"held by another app in this same process (pid {os.getpid()}), started "
        )
        assert "table_name each" in text
        assert '[jobify] role = "producer"' in text
        assert '[jobify.storage] use = "postgres"' in text
        assert str(path) + ".jobify_schedules.lock" in text
    async with second:  # the first one's shutdown released it
        assert second.configs.app_started


async def test_apps_on_different_tables_of_one_file_both_run(tmp_path):
    path = tmp_path / "jobs.db"
    async with make_app(path, table_name="billing"), make_app(path, table_name="mail"):
        pass
    assert {p.name for p in tmp_path.glob("*.lock")} == {
        "jobs.db.billing.lock",
        "jobs.db.mail.lock",
    }


async def test_memory_databases_need_no_lock(tmp_path):
    async with make_app(":memory:"), make_app(":memory:"):
        pass
    assert not list(tmp_path.iterdir())


async def test_the_lock_file_names_its_holder_and_is_emptied_at_shutdown(tmp_path):
    path = tmp_path / "jobs.db"
    lock = tmp_path / "jobs.db.jobify_schedules.lock"
    async with make_app(path):
        details = json.loads(lock.read_text())
        assert details["pid"] == os.getpid()
        assert details["host"] == socket.gethostname()
        assert details["since"].endswith(" UTC")
        assert "command" in details
    assert lock.exists()  # kept: deleting it would race with a new holder
    assert lock.read_text() == ""


async def test_a_symlinked_path_shares_the_lock_of_the_real_file(tmp_path):
    real = tmp_path / "jobs.db"
    (tmp_path / "alias.db").symlink_to(real)
    async with make_app(real):
        with pytest.raises(SchedulerLockedError):
            await make_app(tmp_path / "alias.db").startup()


async def test_a_read_only_storage_cannot_lock(tmp_path):
    path = tmp_path / "jobs.db"
    async with make_app(path):
        pass
    storage = SQLiteStorage(path).read_only()
    await storage.startup()
    try:
        with pytest.raises(SQLiteStorageStateError, match="read_only"):
            await storage.lock_scheduler()
    finally:
        await storage.shutdown()


async def test_a_deleted_lock_file_is_taken_again(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr("jobify_storage_sqlite.storage.WATCH_SECONDS", 0.05)
    path = tmp_path / "jobs.db"
    lock = tmp_path / "jobs.db.jobify_schedules.lock"
    async with make_app(path):
        lock.unlink()
        deadline = time.monotonic() + 10
        while not lock.exists():
            assert time.monotonic() < deadline, "the lock file was not taken again"
            await asyncio.sleep(0.05)
        with pytest.raises(SchedulerLockedError):
            await make_app(path).startup()
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(f"the lock file {lock} was deleted or replaced" in m for m in errors), errors


HOLDER = """
import asyncio, os, sys, time
from jobify_storage_sqlite import SQLiteStorage

async def main():
    storage = SQLiteStorage(sys.argv[1])
    await storage.startup()
    await storage.lock_scheduler()
    child = os.fork()
    if child == 0:  # a forked worker, e.g. of a process pool: it must not keep the lock
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 1)  # let the test read the holder's output to its end
        os.dup2(null, 2)
        time.sleep(3600)
        os._exit(0)
    print(child, flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_a_forked_child_does_not_keep_a_killed_holders_lock(tmp_path):
    path = tmp_path / "jobs.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLDER), str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    child = None
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline()
        assert line.strip().isdigit(), holder.communicate(timeout=60)
        child = int(line)
        holder.kill()
        holder.communicate(timeout=60)
        os.kill(child, 0)  # the forked child is still alive
        async with make_app(path):  # and yet the lock is free at once
            pass
    finally:
        holder.kill()
        if holder.returncode is None:
            holder.communicate(timeout=60)
        if child is not None:
            os.kill(child, signal.SIGKILL)
