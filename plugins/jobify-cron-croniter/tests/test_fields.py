"""Field layouts and syntax. Expected values were taken from the reference (jobify 0.14.0)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from jobify.crontab import CronParser
from jobify_cron_croniter import MACROS, CronTab, create_crontab

NOW = datetime(2026, 1, 1, 12, 0, 3, tzinfo=UTC)


def runs(expression: str, now: datetime = NOW, count: int = 3) -> list[str]:
    tab = create_crontab(expression)
    out = []
    for _ in range(count):
        now = tab.next_run(now=now)
        out.append(now.isoformat())
    return out


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # 5 fields: minute hour day-of-month month day-of-week
        ("* * * * *", ["2026-01-01T12:01:00+00:00", "2026-01-01T12:02:00+00:00"]),
        ("5/15 * * * *", ["2026-01-01T12:05:00+00:00", "2026-01-01T12:20:00+00:00"]),
        ("1-5/2 * * * *", ["2026-01-01T12:01:00+00:00", "2026-01-01T12:03:00+00:00"]),
        ("0 0 * * mon-fri", ["2026-01-02T00:00:00+00:00", "2026-01-05T00:00:00+00:00"]),
        ("0 0 * JAN-MAR SUN", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
        ("0 0 * * 0", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
        ("0 0 * * 7", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
        ("0 0 * * 6-7", ["2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00"]),
        ("16-16 17 * 9-12 *", ["2026-09-01T17:16:00+00:00", "2026-09-02T17:16:00+00:00"]),
        ("  0   0 * * *  ", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]),
        # 6 fields: the five, then YEAR
        ("5 * * * * *", ["2026-01-01T12:05:00+00:00", "2026-01-01T13:05:00+00:00"]),
        ("0 12 * * * 2027", ["2027-01-01T12:00:00+00:00", "2027-01-02T12:00:00+00:00"]),
        ("0 0 1 1 * 2026-2030/2", ["2028-01-01T00:00:00+00:00", "2030-01-01T00:00:00+00:00"]),
        ("0 0 1 1 * 2099", ["2099-01-01T00:00:00+00:00"]),
        # 7 fields: SECONDS first, the five, then YEAR
        ("*/10 * * * * * *", ["2026-01-01T12:00:10+00:00", "2026-01-01T12:00:20+00:00"]),
        ("*/15 0 12 * * * *", ["2026-01-01T12:00:15+00:00", "2026-01-01T12:00:30+00:00"]),
        ("30 0 12 * * * *", ["2026-01-01T12:00:30+00:00", "2026-01-02T12:00:30+00:00"]),
        ("0 0 0 1 1 * 2030", ["2030-01-01T00:00:00+00:00"]),
        # L and ?
        ("0 0 L * *", ["2026-01-31T00:00:00+00:00", "2026-02-28T00:00:00+00:00"]),
        ("0 0 L 2 * 2028", ["2028-02-29T00:00:00+00:00"]),
        ("0 0 ? * 1", ["2026-01-05T00:00:00+00:00", "2026-01-12T00:00:00+00:00"]),
        ("0 0 ? * ?", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]),
        ("0 0 ?,1 * *", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]),
        ("0 0 * * 5,?", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]),
        ("0 0 * * L5", ["2026-01-30T00:00:00+00:00", "2026-02-27T00:00:00+00:00"]),
        # day-of-month AND day-of-week (the reference's rule, not classic cron's OR)
        ("0 0 13 * 5", ["2026-02-13T00:00:00+00:00", "2026-03-13T00:00:00+00:00"]),
        ("0 0 1 * 1", ["2026-06-01T00:00:00+00:00", "2027-02-01T00:00:00+00:00"]),
        ("0 0 L * 5", ["2026-07-31T00:00:00+00:00", "2027-04-30T00:00:00+00:00"]),
        # plain weekdays listed with Ln: a union (Fridays, and the last Sunday)
        (
            "0 0 * * 5,L7",
            [
                "2026-01-02T00:00:00+00:00",
                "2026-01-09T00:00:00+00:00",
                "2026-01-16T00:00:00+00:00",
                "2026-01-23T00:00:00+00:00",
                "2026-01-25T00:00:00+00:00",
                "2026-01-30T00:00:00+00:00",
            ],
        ),
        ("0 0 * * mon,L5", ["2026-01-05T00:00:00+00:00", "2026-01-12T00:00:00+00:00"]),
        ("0 0 * * L0", ["2026-01-25T00:00:00+00:00", "2026-02-22T00:00:00+00:00"]),
        ("0 0 * * l5", ["2026-01-30T00:00:00+00:00", "2026-02-27T00:00:00+00:00"]),
        (
            "0 0 * * L1-3",
            [
                "2026-01-26T00:00:00+00:00",
                "2026-01-27T00:00:00+00:00",
                "2026-01-28T00:00:00+00:00",
                "2026-02-23T00:00:00+00:00",
            ],
        ),
        ("0 0 * * L5,L1", ["2026-01-26T00:00:00+00:00", "2026-01-30T00:00:00+00:00"]),
        # '*' (or '?') listed with Ln: every day
        ("0 0 * * L3,*", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]),
        ("0 0 * * L5,?", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]),
        ("0 0 15 * L3,*", ["2026-01-15T00:00:00+00:00", "2026-02-15T00:00:00+00:00"]),
        # Zn: n (0-7) days before the month's last day; Za-b a range of them
        ("0 0 Z0 * *", ["2026-01-31T00:00:00+00:00", "2026-02-28T00:00:00+00:00"]),
        (
            "0 0 Z3 * *",
            [
                "2026-01-28T00:00:00+00:00",
                "2026-02-25T00:00:00+00:00",
                "2026-03-28T00:00:00+00:00",
                "2026-04-27T00:00:00+00:00",
            ],
        ),
        ("0 0 z7 * *", ["2026-01-24T00:00:00+00:00", "2026-02-21T00:00:00+00:00"]),
        ("0 0 Z3 2 * 2028", ["2028-02-26T00:00:00+00:00"]),
        (
            "0 0 Z1-3 * *",
            [
                "2026-01-28T00:00:00+00:00",
                "2026-01-29T00:00:00+00:00",
                "2026-01-30T00:00:00+00:00",
                "2026-02-25T00:00:00+00:00",
            ],
        ),
        ("0 0 0 Z3 * * 2027", ["2027-01-28T00:00:00+00:00", "2027-02-25T00:00:00+00:00"]),
        # Zn AND a weekday, including Ln (a Zn day is the last of its weekday for n < 7)
        ("0 0 Z3 * 1", ["2026-04-27T00:00:00+00:00", "2026-12-28T00:00:00+00:00"]),
        ("0 0 Z6 * L5", ["2026-04-24T00:00:00+00:00", "2026-12-25T00:00:00+00:00"]),
        ("0 0 Z3 * 5,L7", ["2026-08-28T00:00:00+00:00", "2026-09-27T00:00:00+00:00"]),
        ("0 0 Z3 * L3,*", ["2026-01-28T00:00:00+00:00", "2026-02-25T00:00:00+00:00"]),
    ],
)
def test_matches_the_reference(expression, expected):
    assert runs(expression, count=len(expected)) == expected


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        ("@yearly", "2027-01-01T00:00:00+00:00"),
        ("@annually", "2027-01-01T00:00:00+00:00"),
        ("@monthly", "2026-02-01T00:00:00+00:00"),
        ("@weekly", "2026-01-04T00:00:00+00:00"),
        ("@daily", "2026-01-02T00:00:00+00:00"),
        ("@midnight", "2026-01-02T00:00:00+00:00"),
        ("@hourly", "2026-01-01T13:00:00+00:00"),
        ("@Daily", "2026-01-02T00:00:00+00:00"),
    ],
)
def test_macros(macro, expected):
    assert runs(macro, count=1) == [expected]
    assert macro.lower() in MACROS


def test_croniter_extensions_beyond_the_reference():
    assert runs("0 0 * * 1#2", count=2) == [
        "2026-01-12T00:00:00+00:00",
        "2026-02-09T00:00:00+00:00",
    ]
    assert runs("0 0 15W * *", count=2) == [
        "2026-01-15T00:00:00+00:00",
        "2026-02-16T00:00:00+00:00",
    ]
    assert runs("0 0 * 11-2 *", count=1) == ["2026-01-02T00:00:00+00:00"]
    assert runs("0 0 31W 2 *", count=1) == ["2026-02-27T00:00:00+00:00"]  # Friday before Sat 28


@pytest.mark.parametrize(
    ("expression", "parts"),
    [
        ("0 0 Z3,15 * *", ["0 0 Z3 * *", "0 0 15 * *"]),
        ("0 0 Z1,* * *", ["0 0 * * *"]),
        ("0 0 Z2,Z5 * *", ["0 0 Z2 * *", "0 0 Z5 * *"]),
        ("0 0 * * 1#2,3", ["0 0 * * 1#2", "0 0 * * 3"]),
        ("0 0 Z2,25 * 5,L1", ["0 0 Z2 * 5", "0 0 Z2 * L1", "0 0 25 * 5", "0 0 25 * L1"]),
    ],
)
def test_lists_with_zn_or_nth_are_unions_beyond_the_reference(expression, parts):
    # the reference keeps only the first Zn of a day-of-month list and ignores the rest,
    # and has no n#k; here every list is the union of its items
    expected = sorted({run for part in parts for run in runs(part, count=8)})[:8]
    assert runs(expression, count=8) == expected


def test_result_is_strictly_after_now():
    at_run = datetime(2026, 1, 2, 0, 0, tzinfo=UTC)
    assert create_crontab("0 0 * * *").next_run(now=at_run) == at_run + timedelta(days=1)
    just_after = datetime(2026, 1, 1, 0, 0, 0, 500, tzinfo=UTC)
    assert runs("0 0 * * *", just_after, 1) == ["2026-01-02T00:00:00+00:00"]
    assert runs("* * * * * * *", just_after, 2) == [
        "2026-01-01T00:00:01+00:00",
        "2026-01-01T00:00:02+00:00",
    ]


def test_result_keeps_the_timezone_of_now():
    berlin = ZoneInfo("Europe/Berlin")
    result = create_crontab("0 9 * * *").next_run(now=datetime(2026, 7, 1, 12, tzinfo=berlin))
    assert result.tzinfo is berlin
    assert result == datetime(2026, 7, 2, 9, tzinfo=berlin)
    fixed = timezone(timedelta(hours=5, minutes=30))
    result = create_crontab("0 9 * * *").next_run(now=datetime(2026, 7, 1, 12, tzinfo=fixed))
    assert result.tzinfo is fixed
    assert result == datetime(2026, 7, 2, 9, tzinfo=fixed)


def test_is_a_cron_parser_and_reusable():
    tab = create_crontab("*/5 * * * *")
    assert isinstance(tab, CronTab)
    assert CronParser in CronTab.__mro__  # the kernel contract, a non-runtime Protocol
    assert tab.expression == "*/5 * * * *"
    assert repr(tab) == "CronTab('*/5 * * * *')"
    copy = pickle.loads(pickle.dumps(tab))
    assert copy.next_run(now=NOW) == tab.next_run(now=NOW)
    # next_run does not depend on earlier calls
    later = datetime(2030, 5, 5, 5, 5, tzinfo=UTC)
    assert tab.next_run(now=later) == datetime(2030, 5, 5, 5, 10, tzinfo=UTC)
    assert tab.next_run(now=NOW) == datetime(2026, 1, 1, 12, 5, tzinfo=UTC)


def test_no_run_left_raises_value_error():
    tab = create_crontab("0 0 1 1 * 2026")
    assert tab.next_run(now=datetime(2025, 6, 1, tzinfo=UTC)) == datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match=r"'0 0 1 1 \* 2026' has no run after 2026-01-01"):
        tab.next_run(now=datetime(2026, 1, 1, tzinfo=UTC))
