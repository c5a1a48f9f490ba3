"""Rows that cannot be restored are set aside: kept and listed with a reason, never restored."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from jobify._kernel.values import JobStatus
from jobify.storage import ScheduledJob
from jobify_storage_sqlite import SQLiteStorage

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def row(job_id: str, minutes: int = 0, message: bytes = b"m") -> ScheduledJob:
    return ScheduledJob(
        job_id, "mod:task", message, JobStatus.SCHEDULED, T0 + timedelta(minutes=minutes)
    )


def sql(path, query, *params):
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        return conn.execute(query, params).fetchall()


async def test_set_aside_hides_a_row_from_restore_and_lists_it_with_the_reason(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        await storage.add_schedule(row("bad", 1, b"\xff\x00corrupt"), row("good", 2))
        await storage.set_aside("bad", "its message cannot be decoded: boom")
        assert [r.job_id for r in await storage.get_schedules()] == ["good"]
        assert await storage.get_quarantined() == [
            (row("bad", 1, b"\xff\x00corrupt"), "its message cannot be decoded: boom")
        ]
        assert storage.statistics().rows_set_aside == 1
    finally:
        await storage.shutdown()


async def test_set_aside_of_a_missing_row_is_not_an_error(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        await storage.set_aside("never-stored", "gone")
        assert await storage.get_quarantined() == []
        assert storage.statistics().rows_set_aside == 0
    finally:
        await storage.shutdown()


async def test_replacing_a_set_aside_row_restores_it_and_delete_removes_it(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        await storage.add_schedule(row("a"), row("b"))
        await storage.set_aside("a", "why")
        await storage.set_aside("b", "")
        assert [(r.job_id, why) for r, why in await storage.get_quarantined()] == [
            ("a", "why"),
            ("b", "set aside without a reason"),
        ]
        await storage.add_schedule(row("a", 3))  # rescheduled: a fresh, valid row
        await storage.delete_schedule("b")
        assert [r.job_id for r in await storage.get_schedules()] == ["a"]
        assert await storage.get_quarantined() == []
    finally:
        await storage.shutdown()


async def test_set_aside_checks_its_arguments(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        with pytest.raises(
            TypeError, match=r"set_aside\('a', None\): job_id and reason must be str"
        ):
            await storage.set_aside("a", None)
    finally:
        await storage.shutdown()


async def test_rows_with_undecodable_columns_are_set_aside_by_get_schedules(tmp_path):
    path = tmp_path / "jobs.db"
    storage = SQLiteStorage(path)
    await storage.startup()
    await storage.add_schedule(row("good"))
    # written by hand or by a broken tool
    sql(
        path,
        "INSERT INTO jobify_schedules (job_id, name, message, status, next_run_at) "
        "VALUES ('bad-status', 'n', x'00', 'sleeping', '2030-01-01T00:00:00+00:00'), "
        "('bad-time', 'n', x'00', 'scheduled', 'next tuesday'), "
        "('epoch', 'n', 'text message', 'scheduled', 1893456000.0)",
    )
    try:
        rows = await storage.get_schedules()
        assert [r.job_id for r in rows] == ["epoch", "good"] or [r.job_id for r in rows] == [
            "good",
            "epoch",
        ]
        epoch = next(r for r in rows if r.job_id == "epoch")
        assert epoch.next_run_at == T0 and epoch.message == b"text message"
        quarantined = {r.job_id: (r, why) for r, why in await storage.get_quarantined()}
        assert set(quarantined) == {"bad-status", "bad-time"}
        bad_status, why = quarantined["bad-status"]
        assert (
            why
            == "the stored row cannot be decoded: status 'sleeping' is not a JobStatus ('pending', 'scheduled', 'running', 'cancelled', 'success', 'failed', 'timeout', 'permanently_failed')"
        )
        assert bad_status == ScheduledJob("bad-status", "n", b"\x00", JobStatus.SCHEDULED, T0)
        bad_time, why = quarantined["bad-time"]
        assert why == (
            "the stored row cannot be decoded: next_run_at 'next tuesday' is not a time: "
            "expected ISO 8601 text or epoch seconds"
        )
        assert bad_time.next_run_at == datetime.min.replace(tzinfo=UTC)
        assert storage.statistics().rows_set_aside == 2
        assert len(await storage.get_schedules()) == 2  # the second read does not see them again
    finally:
        await storage.shutdown()
