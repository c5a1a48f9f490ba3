"""Constructor options: the reference's signature, checked with errors that give the fix."""

from __future__ import annotations

import contextlib
import inspect
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobify._kernel.values import JobStatus
from jobify.storage import ScheduledJob
from jobify_storage_sqlite import SQLiteStorage


def test_signature_matches_the_reference():
    sig = inspect.signature(SQLiteStorage)
    assert [(p.name, p.kind, p.default) for p in sig.parameters.values()] == [
        ("database", inspect.Parameter.POSITIONAL_OR_KEYWORD, Path("jobify.db")),
        ("table_name", inspect.Parameter.KEYWORD_ONLY, "jobify_schedules"),
        ("timeout", inspect.Parameter.KEYWORD_ONLY, 20.0),
        ("max_queue_size", inspect.Parameter.KEYWORD_ONLY, 1024),
    ]


def test_database_positionally_or_by_keyword_str_or_path(tmp_path):
    assert SQLiteStorage("a.db").database == Path("a.db")
    assert SQLiteStorage(database=tmp_path / "b.db").database == tmp_path / "b.db"
    assert SQLiteStorage().database == Path("jobify.db")
    assert repr(SQLiteStorage("a.db", timeout=1)) == (
        "SQLiteStorage('a.db', table_name='jobify_schedules', timeout=1, max_queue_size=1024)"
    )


@pytest.mark.parametrize("name", ["jobs", "_private", "Jobs2", "a" * 200, "order", "select"])
async def test_valid_table_names_work_even_sql_keywords(tmp_path, name):
    storage = SQLiteStorage(tmp_path / "jobs.db", table_name=name)
    await storage.startup()
    try:
        await storage.add_schedule(
            ScheduledJob("x", "n", b"", JobStatus.SCHEDULED, datetime(2030, 1, 1, tzinfo=UTC))
        )
        assert [r.job_id for r in await storage.get_schedules()] == ["x"]
    finally:
        await storage.shutdown()
    with contextlib.closing(sqlite3.connect(tmp_path / "jobs.db")) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    side = {f"{name}_{suffix}" for suffix in ("meta", "changes", "runs", "outcomes")}
    assert tables == {name, *side, "sqlite_sequence"}


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("bad name", "bad_name"),
        ("jobs; DROP TABLE x", "jobs__DROP_TABLE_x"),
        ("1jobs", "_1jobs"),
        ("my-jobs", "my_jobs"),
        ("jöbs", "j_bs"),
        ('"quoted"', "_quoted_"),
        ("", "jobify_schedules"),
        ("jobs\n", "jobs_"),
    ],
)
def test_table_name_is_validated_with_what_where_and_fix(name, suggestion):
    with pytest.raises(ValueError) as info:
        SQLiteStorage(table_name=name)
    assert str(info.value) == (
        f"SQLiteStorage(table_name={name!r}): not a plain SQL identifier. Use ASCII letters, "
        "digits and underscores, not starting with a digit ([A-Za-z_][A-Za-z0-9_]*), "
        f"e.g. table_name={suggestion!r}"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"table_name": 5}, TypeError, r"SQLiteStorage\(table_name=5\): expected a str, got int"),
        (
            {"database": 5},
            TypeError,
            r"SQLiteStorage\(database=5\): expected a file path \(str or Path\), got int",
        ),
        ({"database": b"x.db"}, TypeError, r"database=b'x.db'\): expected a file path"),
        ({"database": ""}, ValueError, r"SQLiteStorage\(database=''\): the path is empty"),
        (
            {"timeout": "20"},
            TypeError,
            r"SQLiteStorage\(timeout='20'\): expected seconds as a number, got str",
        ),
        ({"timeout": True}, TypeError, r"timeout=True\): expected seconds as a number"),
        (
            {"timeout": -1},
            ValueError,
            r"SQLiteStorage\(timeout=-1\): expected a finite number of seconds >= 0",
        ),
        ({"timeout": float("inf")}, ValueError, r"timeout=inf\): expected a finite number"),
        (
            {"max_queue_size": 0},
            ValueError,
            r"SQLiteStorage\(max_queue_size=0\): expected an int >= 1; at least 1 operation",
        ),
        (
            {"max_queue_size": 1.5},
            TypeError,
            r"SQLiteStorage\(max_queue_size=1.5\): expected an int, got float",
        ),
    ],
)
def test_bad_options_fail_in_the_constructor(kwargs, error, match):
    with pytest.raises(error, match=match):
        SQLiteStorage(**kwargs)


def test_options_are_checked_when_changed_later():
    storage = SQLiteStorage()
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        storage.table_name = "x y"
