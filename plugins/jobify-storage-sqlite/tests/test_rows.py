"""What goes in comes out: unusual ids, names and payloads, and any aware time (property tests)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobify._kernel.values import JobStatus
from jobify.storage import ScheduledJob
from jobify_storage_sqlite import SQLiteStorage
from jobify_storage_sqlite._rows import from_row as _from_row
from jobify_storage_sqlite._rows import stored_job as _stored_job
from jobify_storage_sqlite._rows import to_params as _to_params

T0 = datetime(2030, 1, 1, tzinfo=UTC)

offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC) | offsets
)
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=50)
jobs = st.builds(
    ScheduledJob,
    job_id=texts,
    name=texts,
    message=st.binary(max_size=200),
    status=st.sampled_from(JobStatus),
    next_run_at=aware,
)


@given(jobs)
def test_row_codec_round_trips_to_aware_utc(job):
    got = _from_row(_to_params(job, "test"))
    assert got == job
    assert got.next_run_at.tzinfo is UTC
    assert got.status is job.status


columns = st.one_of(
    texts,
    st.binary(max_size=20),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
    st.sampled_from([s.value for s in JobStatus]),
    aware.map(lambda t: t.isoformat()),
)


@given(jobs | st.tuples(columns, columns, columns, columns, columns), st.none() | texts)
def test_stored_job_decodes_any_row_as_from_row_does(row, reason):
    raw = (*(_to_params(row, "test") if isinstance(row, ScheduledJob) else row), reason, 1, 0)
    got = _stored_job(raw)
    try:
        expected = _from_row(raw)
    except (TypeError, ValueError):
        assert got.set_aside is not None  # decoded leniently, never restored
    else:
        assert got.row == expected
        assert got.row.next_run_at.tzinfo is UTC
        assert got.set_aside == reason
    assert (got.paused, got.run_requested) == (True, False)


@given(st.lists(aware, min_size=2, max_size=10))
def test_stored_times_sort_as_text_in_time_order(times):
    stored = [
        _to_params(ScheduledJob("i", "n", b"", JobStatus.SCHEDULED, t), "test")[4] for t in times
    ]
    assert [s for _, s in sorted(zip(times, stored))] == sorted(stored)


def test_rows_round_trip_through_the_file(tmp_path):
    with asyncio.Runner() as runner:
        storage = SQLiteStorage(tmp_path / "jobs.db")
        runner.run(storage.startup())
        try:

            @settings(max_examples=40, deadline=None)
            @given(st.lists(jobs, max_size=8, unique_by=lambda j: j.job_id))
            def check(batch):
                async def round_trip():
                    await storage.add_schedule(*batch)
                    got = {r.job_id: r for r in await storage.get_schedules()}
                    assert got == {j.job_id: j for j in batch}
                    await storage.delete_schedule_many([j.job_id for j in batch])

                runner.run(round_trip())

            check()
        finally:
            runner.run(storage.shutdown())


@pytest.mark.parametrize(
    "job_id",
    [
        "ünïcødé-日本語-🙂",
        "x" * 10_000,
        "🙂" * 10_000,
        "nul\x00inside",
        "",
        "'; DROP TABLE jobify_schedules; --",
    ],
    ids=["unicode", "10k-chars", "10k-emoji", "nul", "empty", "injection"],
)
async def test_unusual_job_ids_and_names(tmp_path, job_id):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        job = ScheduledJob(job_id, f"tâsk:{job_id}", job_id.encode(), JobStatus.SCHEDULED, T0)
        await storage.add_schedule(job, ScheduledJob("other", "n", b"", JobStatus.SCHEDULED, T0))
        assert {r.job_id: r for r in await storage.get_schedules()}[job_id] == job
        await storage.set_aside(job_id, f"reason with {job_id}")
        assert await storage.get_quarantined() == [(job, f"reason with {job_id}")]
        await storage.delete_schedule(job_id)
        assert [r.job_id for r in await storage.get_schedules()] == ["other"]
    finally:
        await storage.shutdown()


async def test_upsert_replaces_every_column(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        await storage.add_schedule(ScheduledJob("a", "old:task", b"old", JobStatus.SCHEDULED, T0))
        new = ScheduledJob("a", "new:task", b"new", JobStatus.RUNNING, T0 + timedelta(days=1))
        await storage.add_schedule(new)
        assert await storage.get_schedules() == [new]
        # the same id twice in one call: the last one wins
        await storage.add_schedule(
            ScheduledJob("b", "n", b"1", JobStatus.SCHEDULED, T0),
            ScheduledJob("b", "n", b"2", JobStatus.SCHEDULED, T0),
        )
        assert [r.message for r in await storage.get_schedules() if r.job_id == "b"] == [b"2"]
    finally:
        await storage.shutdown()


async def test_a_large_message(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        big = bytes(range(256)) * 40_000  # 10 MB
        await storage.add_schedule(ScheduledJob("big", "n", big, JobStatus.SCHEDULED, T0))
        assert (await storage.get_schedules())[0].message == big
    finally:
        await storage.shutdown()


async def test_get_schedules_returns_soonest_first(tmp_path):
    storage = SQLiteStorage(tmp_path / "jobs.db")
    await storage.startup()
    try:
        plus2 = timezone(timedelta(hours=2))
        await storage.add_schedule(
            ScheduledJob("late", "n", b"", JobStatus.SCHEDULED, T0 + timedelta(hours=1)),
            ScheduledJob(
                "early-in-plus2",
                "n",
                b"",
                JobStatus.SCHEDULED,
                datetime(2030, 1, 1, 1, tzinfo=plus2),
            ),
            ScheduledJob("mid", "n", b"", JobStatus.SCHEDULED, T0 + timedelta(microseconds=1)),
        )
        assert [r.job_id for r in await storage.get_schedules()] == [
            "early-in-plus2",
            "mid",
            "late",
        ]
    finally:
        await storage.shutdown()
