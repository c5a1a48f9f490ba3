"""For random valid expressions, zones and times, runs come strictly after now and increase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from jobify_cron_croniter import MACROS, create_crontab

ZONES = [
    UTC,
    timezone(timedelta(hours=-3, minutes=-30)),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Sydney"),
    ZoneInfo("Australia/Lord_Howe"),  # 30-minute DST shift
    ZoneInfo("Asia/Kolkata"),
]


def field(low: int, high: int, extra: list[str] | None = None) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    value = number.map(str)
    span = st.tuples(number, number).map(lambda p: f"{min(p)}-{max(p)}")
    step = st.tuples(st.sampled_from(["*", f"{low}-{high}"]), st.integers(1, 12)).map(
        lambda p: f"{p[0]}/{p[1]}"
    )
    listing = st.lists(number, min_size=2, max_size=3).map(lambda v: ",".join(map(str, v)))
    choices = [st.just("*"), value, span, step, listing]
    if extra:
        choices.append(st.sampled_from(extra))
    return st.one_of(choices)


SECOND = field(0, 59)
MINUTE = field(0, 59)
HOUR = field(0, 23)
DOM = field(1, 28, ["L", "?", "15W"])
MONTH = field(1, 12, ["jan-mar", "dec"])
DOW = field(0, 7, ["mon-fri", "?", "L5", "1#2"])
YEAR = st.sampled_from(["*", "2026-2099", "*/3", "2030,2050,2090"])


@st.composite
def expressions(draw: st.DrawFn) -> str:
    five = [draw(MINUTE), draw(HOUR), draw(DOM), draw(MONTH), draw(DOW)]
    layout = draw(st.sampled_from(["5", "6", "7", "macro"]))
    if layout == "macro":
        return draw(st.sampled_from(sorted(MACROS)))
    if layout == "5":
        return " ".join(five)
    if layout == "6":
        return " ".join([*five, draw(YEAR)])
    return " ".join([draw(SECOND), *five, draw(YEAR)])


nows = st.datetimes(
    min_value=datetime(2000, 1, 1),  # hypothesis attaches the zone
    max_value=datetime(2080, 12, 31),
    timezones=st.sampled_from(ZONES),
)


@settings(max_examples=300, deadline=None, database=None)
@given(expression=expressions(), now=nows)
def test_runs_are_strictly_after_now_and_strictly_increasing(expression, now):
    tab = create_crontab(expression)
    previous = now
    for _ in range(3):
        try:
            run = tab.next_run(now=previous)
        except ValueError as exc:  # a rare day/weekday/year combination: no run left
            if "has no run after" not in str(exc):
                raise
            return
        assert run.tzinfo is now.tzinfo
        assert run.astimezone(UTC) > previous.astimezone(UTC)
        assert run.microsecond == 0
        previous = run
