"""jobify.storage.checked_row: the row check every storage runs on the caller's side."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobify import JobStatus
from jobify.storage import ScheduledJob, checked_row

WHEN = datetime(2030, 1, 1, tzinfo=UTC)


def test_a_good_row_comes_back_normalised():
    row = checked_row(("id", "task", bytearray(b"m"), "scheduled", WHEN), "S.add_schedule()")
    assert row == ScheduledJob("id", "task", b"m", JobStatus.SCHEDULED, WHEN)
    assert type(row.message) is bytes
    assert row.status is JobStatus.SCHEDULED


@pytest.mark.parametrize(
    ("row", "error", "match"),
    [
        ("nope", TypeError, r"S\.add_schedule\(\): expected ScheduledJob rows, got 'nope'"),
        ((1, "t", b"", "scheduled", WHEN), TypeError, r"job_id must be a str, got 1"),
        (("a", None, b"", "scheduled", WHEN), TypeError, r"row 'a': name must be a str"),
        (("a", "t", "text", "scheduled", WHEN), TypeError, r"message must be bytes, got str"),
        (("a", "t", b"", "later", WHEN), ValueError, r"status 'later' is not a JobStatus; use"),
        (("a", "t", b"", "scheduled", "2030"), TypeError, r"next_run_at must be a datetime"),
        (
            ("a", "t", b"", "scheduled", datetime(2030, 1, 1)),  # noqa: DTZ001
            ValueError,
            r"is naive; pass an aware datetime",
        ),
        (
            ("a\ud800", "t", b"", "scheduled", WHEN),
            ValueError,
            r"job_id holds '\\ud800' at index 1, a lone surrogate",
        ),
    ],
)
def test_a_bad_row_is_refused_naming_the_row_and_the_fix(row, error, match):
    with pytest.raises(error, match=match):
        checked_row(row, "S.add_schedule()")


def test_nul_characters_are_refused_only_when_asked():
    row = ("a\x00b", "t", b"", JobStatus.SCHEDULED, WHEN)
    assert checked_row(row, "S").job_id == "a\x00b"
    with pytest.raises(ValueError, match=r"job_id holds a NUL character at index 1"):
        checked_row(row, "S", allow_nul=False)
