"""For random valid expressions, zones and times, runs come strictly after now and increase."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
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
DOM = field(1, 28, ["L", "?", "15W", "Z3", "Z0-2", "1,Z5"])
MONTH = field(1, 12, ["jan-mar", "dec"])
DOW = field(0, 7, ["mon-fri", "?", "L5", "1#2", "5,L7", "L3,*", "L1-2", "mon,L5"])
YEAR = st.sampled_from(["*", "2026-2099", "*/3", "2030,2050,2090"])


@st.composite
def expressions(draw: st.DrawFn) -> str:
    five = [draw(MINUTE), draw(HOUR), draw(DOM), draw(MONTH), draw(DOW)]
    assume(not ("Z" in five[2] and "#" in five[4]))  # refused: 'Zn' with croniter's 'n#k'
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


def _next(expression: str, now: datetime) -> datetime | None:
    try:
        return create_crontab(expression).next_run(now=now)
    except ValueError:  # no run left, or a combination that never meets
        return None


LAST_WEEKDAYS = st.lists(st.integers(0, 7), min_size=1, max_size=2).map(
    lambda days: [f"L{d}" for d in days]
)
DAYS_BEFORE_LAST = st.lists(st.integers(0, 7), min_size=1, max_size=2).map(
    lambda days: [f"Z{d}" for d in days]
)


@settings(max_examples=150, deadline=None, database=None)
@given(
    head=st.sampled_from(["0 0", "30 2", "*/20 *", "0 */5"]),
    dom_plain=st.lists(st.sampled_from(["1", "15", "28", "L", "10-12"]), max_size=2),
    z_items=st.one_of(st.just([]), DAYS_BEFORE_LAST),
    month=st.sampled_from(["*", "2", "3,10", "11-12"]),
    dow_plain=st.lists(st.sampled_from(["1", "5", "0", "mon-wed", "*/3", "7"]), max_size=2),
    l_items=st.one_of(st.just([]), LAST_WEEKDAYS),
    now=nows,
)
def test_a_list_runs_at_the_first_run_of_any_of_its_items(
    head, dom_plain, z_items, month, dow_plain, l_items, now
):
    """Day lists mixing Zn / Ln with other items are unions (the reference's meaning)."""
    dom_items = dom_plain + z_items or ["*"]
    dow_items = dow_plain + l_items or ["*"]
    whole = f"{head} {','.join(dom_items)} {month} {','.join(dow_items)}"
    singles = [f"{head} {d} {month} {w}" for d in dom_items for w in dow_items]
    found = [run for run in (_next(single, now) for single in singles) if run is not None]
    assert _next(whole, now) == (min(found) if found else None)


@settings(max_examples=100, deadline=None, database=None)
@given(n=st.integers(0, 7), now=nows)
def test_zn_is_n_days_before_the_last_day_of_the_month(n, now):
    run = create_crontab(f"0 12 Z{n} * *").next_run(now=now)
    last = calendar.monthrange(run.year, run.month)[1]
    assert run.day == last - n
    assert (run.hour, run.minute) == (12, 0)
    # the month before had its Zn day at or before now: none was skipped
    previous = run.replace(day=1) - timedelta(days=1)
    last_before = calendar.monthrange(previous.year, previous.month)[1]
    assert previous.replace(day=last_before - n, hour=12, minute=0, second=0) <= now
