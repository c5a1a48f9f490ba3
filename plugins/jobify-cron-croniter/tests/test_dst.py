"""Runs across DST changes, pinned with fixed ``now`` values.

Rules under test (see the README):
* a wall-clock match inside a spring-forward gap runs once, at the first
  instant after the gap, unless the schedule runs in every hour of the day
  (then the gap's matches are skipped: the real hours around it are covered);
* a match inside a fall-back repeated hour runs at its first occurrence only,
  unless the schedule runs in every hour of the day (then at both occurrences).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobify_cron_croniter import create_crontab

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
HOUR = timedelta(hours=1)


def runs(expression: str, now: datetime, count: int) -> list[datetime]:
    tab = create_crontab(expression)
    out = []
    for _ in range(count):
        now = tab.next_run(now=now)
        out.append(now)
    return out


def iso(values: list[datetime]) -> list[str]:
    return [v.isoformat() + (" fold=1" if v.fold else "") for v in values]


def utc_gaps(values: list[datetime]) -> list[timedelta]:
    instants = [v.astimezone(UTC) for v in values]
    return [b - a for a, b in zip(instants, instants[1:], strict=False)]


# --- daily job pinned to 02:30 ---------------------------------------------------


def test_berlin_spring_forward_daily_runs_once_at_end_of_gap():
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    got = runs("30 2 * * *", datetime(2026, 3, 28, 12, tzinfo=BERLIN), 3)
    assert iso(got) == [
        "2026-03-29T03:00:00+02:00",
        "2026-03-30T02:30:00+02:00",
        "2026-03-31T02:30:00+02:00",
    ]


def test_berlin_fall_back_daily_runs_once_at_first_occurrence():
    # 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice.
    got = runs("30 2 * * *", datetime(2026, 10, 24, 12, tzinfo=BERLIN), 3)
    assert iso(got) == [
        "2026-10-25T02:30:00+02:00",
        "2026-10-26T02:30:00+01:00",
        "2026-10-27T02:30:00+01:00",
    ]


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 10, 25, 2, 45, tzinfo=BERLIN),  # first pass, after the run
        datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=BERLIN),  # second pass, before 02:30
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),  # the second 02:30 itself
    ],
)
def test_berlin_fall_back_daily_never_runs_in_the_second_pass(now):
    assert iso(runs("30 2 * * *", now, 1)) == ["2026-10-26T02:30:00+01:00"]


def test_new_york_spring_forward_daily_runs_once_at_end_of_gap():
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT.
    got = runs("30 2 * * *", datetime(2026, 3, 7, 12, tzinfo=NEW_YORK), 2)
    assert iso(got) == ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]


def test_new_york_fall_back_daily_runs_once_at_first_occurrence():
    # 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice.
    got = runs("30 1 * * *", datetime(2026, 10, 31, 12, tzinfo=NEW_YORK), 2)
    assert iso(got) == ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]
    got = runs("30 2 * * *", datetime(2026, 10, 31, 12, tzinfo=NEW_YORK), 2)
    assert iso(got) == ["2026-11-01T02:30:00-05:00", "2026-11-02T02:30:00-05:00"]


def test_gap_runs_of_a_pinned_schedule_collapse_into_one():
    got = runs("*/20 2 * * *", datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN), 2)
    assert iso(got) == ["2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"]


# --- hourly job: once per real hour -----------------------------------------------


def test_berlin_hourly_through_spring_forward():
    got = runs("0 * * * *", datetime(2026, 3, 29, 0, 30, tzinfo=BERLIN), 4)
    assert iso(got) == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T04:00:00+02:00",
        "2026-03-29T05:00:00+02:00",
    ]
    assert utc_gaps(got) == [HOUR] * 3


def test_berlin_hourly_through_fall_back_fires_at_both_two_oclocks():
    got = runs("0 * * * *", datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN), 5)
    assert iso(got) == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00 fold=1",
        "2026-10-25T03:00:00+01:00",
        "2026-10-25T04:00:00+01:00",
    ]
    assert utc_gaps(got) == [HOUR] * 4


def test_new_york_hourly_through_both_transitions():
    spring = runs("0 * * * *", datetime(2026, 3, 8, 0, 30, tzinfo=NEW_YORK), 3)
    assert iso(spring) == [
        "2026-03-08T01:00:00-05:00",
        "2026-03-08T03:00:00-04:00",
        "2026-03-08T04:00:00-04:00",
    ]
    fall = runs("0 * * * *", datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK), 4)
    assert iso(fall) == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:00:00-05:00 fold=1",
        "2026-11-01T02:00:00-05:00",
        "2026-11-01T03:00:00-05:00",
    ]
    assert utc_gaps(spring) == [HOUR] * 2
    assert utc_gaps(fall) == [HOUR] * 3


def test_sub_hourly_schedule_fires_in_both_passes_of_the_repeated_hour():
    got = runs("*/20 * * * *", datetime(2026, 10, 25, 1, 50, tzinfo=BERLIN), 7)
    assert iso(got) == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:20:00+02:00",
        "2026-10-25T02:40:00+02:00",
        "2026-10-25T02:00:00+01:00 fold=1",
        "2026-10-25T02:20:00+01:00 fold=1",
        "2026-10-25T02:40:00+01:00 fold=1",
        "2026-10-25T03:00:00+01:00",
    ]
    assert utc_gaps(got) == [timedelta(minutes=20)] * 6


def test_pinned_sub_hourly_schedule_fires_in_the_first_pass_only():
    got = runs("*/20 2 * * *", datetime(2026, 10, 25, 1, 50, tzinfo=BERLIN), 4)
    assert iso(got) == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:20:00+02:00",
        "2026-10-25T02:40:00+02:00",
        "2026-10-26T02:00:00+01:00",
    ]


def test_seven_field_seconds_schedule_through_fall_back():
    got = runs("0 */30 * * * * *", datetime(2026, 10, 25, 1, 45, tzinfo=BERLIN), 5)
    assert utc_gaps(got) == [timedelta(minutes=30)] * 4
    assert iso(got)[2] == "2026-10-25T02:00:00+01:00 fold=1"
    pinned = runs("0 30 2 * * * *", datetime(2026, 3, 29, 1, 45, tzinfo=BERLIN), 2)
    assert iso(pinned) == ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]


def test_now_inside_the_repeated_hour():
    hourly = create_crontab("0 * * * *")
    first_pass = datetime(2026, 10, 25, 2, 10, tzinfo=BERLIN)
    second_pass = datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=BERLIN)
    assert iso([hourly.next_run(now=first_pass)]) == ["2026-10-25T02:00:00+01:00 fold=1"]
    assert iso([hourly.next_run(now=second_pass)]) == ["2026-10-25T03:00:00+01:00"]
    # the same instant given in another zone gives the same instant back, in that zone
    in_utc = hourly.next_run(now=first_pass.astimezone(UTC))
    assert in_utc == datetime(2026, 10, 25, 1, tzinfo=UTC)
    assert in_utc.tzinfo is UTC


# --- every transition of 2026, three zones ------------------------------------------


def transitions(tz: ZoneInfo, year: int) -> list[datetime]:
    """Return the UTC instants where ``tz`` changes its offset during ``year``."""
    found = []
    t = datetime(year, 1, 1, tzinfo=UTC)
    while t.year == year:
        step = t + HOUR
        if t.astimezone(tz).utcoffset() != step.astimezone(tz).utcoffset():
            found.append(step)
        t = step
    return found


ZONES = [BERLIN, NEW_YORK, SYDNEY]


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_hourly_fires_once_per_real_hour_around_every_transition(tz):
    for change in transitions(tz, 2026):
        got = runs("0 * * * *", (change - 6 * HOUR).astimezone(tz), 12)
        assert utc_gaps(got) == [HOUR] * 11, (str(tz), change)
        assert all(v.minute == 0 and v.tzinfo is tz for v in got)


@pytest.mark.parametrize("tz", ZONES, ids=str)
@pytest.mark.parametrize("hour", [1, 2, 3])
def test_daily_runs_exactly_once_per_local_day_around_every_transition(tz, hour):
    for change in transitions(tz, 2026):
        start = (change - timedelta(days=2)).astimezone(tz).replace(hour=12)
        got = runs(f"30 {hour} * * *", start, 4)
        days = [v.date() for v in got]
        first = start.date() + timedelta(days=1)
        assert days == [first + timedelta(days=i) for i in range(4)], (str(tz), change, got)
