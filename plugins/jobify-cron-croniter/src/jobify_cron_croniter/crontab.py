"""Cron expressions with the reference's field layout, computed by croniter.

Field layouts (the reference's, not croniter's):

* 5 fields: ``minute hour day-of-month month day-of-week``;
* 6 fields: those five, then ``year``;
* 7 fields: ``second``, those five, then ``year``;
* a macro: ``@yearly @annually @monthly @weekly @daily @midnight @hourly``.

Day-of-month and day-of-week must *both* match (AND), as in the reference;
classic cron and croniter's default use OR when both are restricted.

The items of a day list are a union, as in the reference (``5,L7``: Fridays
and the last Sunday; ``L3,*``: every day). croniter has no ``Zn`` (n days
before the month's last day) and no ``La-b``, and rejects ``Ln`` or ``n#k``
listed with other weekdays, so such an expression becomes several croniter
schedules (see ``_union``) and a run is the earliest of theirs.

croniter only ever sees naive wall-clock times here. This module maps each
wall-clock match to a real instant in ``now``'s timezone itself, so the DST
rules are explicit and tested:

* a match that falls in a spring-forward gap (02:30 on a day the clocks jump
  from 02:00 to 03:00) runs once, at the first instant after the gap (03:00),
  unless the schedule runs in every hour of the day: then the gap's matches are
  skipped, because the real hours around the gap are already covered;
* a match that falls in a fall-back repeated hour runs once, at its first
  occurrence, unless the schedule runs in every hour of the day: then it also
  runs at the second occurrence, so an hourly job fires once per elapsed hour.
"""

from __future__ import annotations

import calendar
import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from croniter import CroniterBadDateError, croniter  # type: ignore[import-untyped]

from jobify.crontab import CronParser
from jobify.options import did_you_mean

__all__ = ("MACROS", "CronTab", "create_crontab")

MACROS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    }
)
"""The macros ``CronTab`` accepts (case-insensitive) and their 5-field meaning."""


class _Field(NamedTuple):
    name: str
    low: int
    high: int
    values: str  # what a single value may be, for error messages
    special: str = ""  # the field's extra syntax, for error messages


_SECOND = _Field("second", 0, 59, "a number 0-59")
_MINUTE = _Field("minute", 0, 59, "a number 0-59")
_HOUR = _Field("hour", 0, 23, "a number 0-23")
_DOM = _Field(
    "day-of-month",
    1,
    31,
    "a number 1-31",
    ", '?', 'L' (last day), 'Zn' or 'Za-b' (n days before the last day, n 0-7) or 'nW' "
    "(weekday nearest day n)",
)
_MONTH = _Field("month", 1, 12, "a number 1-12 or a name 'jan'-'dec'")
_DOW = _Field(
    "day-of-week",
    0,
    7,
    "a number 0-7 (0 and 7 are Sunday) or a name 'sun'-'sat'",
    ", '?', 'Ln' or 'La-b' (the last weekday n of the month) or 'n#k' (k-th weekday n of "
    "the month)",
)
_YEAR = _Field("year", 1970, 2099, "a number 1970-2099")

_LAYOUTS: Final = {
    5: (_MINUTE, _HOUR, _DOM, _MONTH, _DOW),
    6: (_MINUTE, _HOUR, _DOM, _MONTH, _DOW, _YEAR),
    7: (_SECOND, _MINUTE, _HOUR, _DOM, _MONTH, _DOW, _YEAR),
}
_LAYOUT_HELP: Final = (
    "expected 5 fields (minute hour day-of-month month day-of-week), 6 (the same + year), "
    "7 (second + the same + year) or a macro: " + ", ".join(MACROS)
)
# croniter's own 7-field order: the five classic fields, then second, then year.
_CRONITER_ORDER: Final = (_MINUTE, _HOUR, _DOM, _MONTH, _DOW, _SECOND, _YEAR)
# Indexes in croniter's expanded fields (5 fields, or 7 with second and year).
_HOUR_INDEX: Final = 1
_DOM_INDEX: Final = 2
_MONTH_INDEX: Final = 3
_YEAR_INDEX: Final = 6
_DAYS_IN_MONTH: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# croniter gives up after this many years without a match; its year field spans 1970-2099.
_MAX_YEARS: Final = 130

_FIELD_SPLIT = re.compile(r"\S+", re.ASCII)
_NUMERIC_ITEM = re.compile(r"(?:\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", re.ASCII)
# croniter reads an equal range "a-a" as the whole field (its "Jan-Jan" rule); cron
# and the reference read it as the single value a.
_EQUAL_RANGE = re.compile(r"(\w+)-\1(?:/\d+)?", re.ASCII | re.IGNORECASE)
_HASHED_ITEM = re.compile(r"[hr](?:\(|/|$)", re.ASCII | re.IGNORECASE)
# The reference's "n days before the month's last day" (day-of-month) and "the last
# weekday n of the month" (day-of-week), single or as a range; croniter has neither
# the first nor ranges or lists of the second, so this module handles both.
_Z_ITEM = re.compile(r"z(\d+)(?:-(\d+))?", re.ASCII | re.IGNORECASE)
_L_ITEM = re.compile(r"l(\d+)(?:-(\d+))?", re.ASCII | re.IGNORECASE)
_NTH_ITEM = re.compile(r"\w+#\d+", re.ASCII)
_EVERY_DAY: Final = frozenset({"*", "?"})
_DAYS_BEFORE_LAST_MAX: Final = 7
_CRONITER_PREFIX = re.compile(r"^\[[^\]]*\]\s*(?:is not acceptable[.,]?)?\s*")

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND_DELTA: Final = timedelta(seconds=1)
_MICROSECOND: Final = timedelta(microseconds=1)
_PARSE_ERRORS: Final = (ValueError, LookupError, TypeError)


class _Part(NamedTuple):
    """One croniter schedule of the union an expression stands for.

    croniter matches ``cron``; the expression runs ``shift`` earlier (a ``Zn``
    day is matched as the month's last day with the weekdays moved by n).
    """

    cron: Any
    shift: timedelta


class _Slot(NamedTuple):
    """The real instants of one wall-clock time in one timezone."""

    first: datetime  # UTC; for a time inside a gap, the first instant after the gap
    second: datetime | None  # UTC; the second occurrence of a repeated time, else None
    in_gap: bool


class CronTab(CronParser):
    """The run times of one cron expression, in the timezone of each ``now``.

    Args:
        expression: 5, 6 or 7 fields, or a macro (see the module docstring).

    Raises:
        ValueError: the expression is invalid; the message names the field at fault.
        TypeError: ``expression`` is not a string.
    """

    __slots__ = ("_every_hour", "_expression", "_lock", "_minute_grid", "_parts")

    def __init__(self, expression: str) -> None:
        self._expression = expression
        by_field = _translate(expression)
        days = _Days.parse(expression, by_field)
        union = _union(expression, by_field, days)
        parts: list[_Part] = []
        try:
            for croniter_expr, shift in union:
                cron = croniter(
                    croniter_expr,
                    start_time=datetime(2000, 1, 1),  # naive: croniter sees wall time only
                    ret_type=datetime,
                    day_or=False,
                    max_years_between_matches=_MAX_YEARS,
                )
                parts.append(_Part(cron, timedelta(days=shift)))
        except _PARSE_ERRORS as exc:
            raise _whole_error(expression, days.plain_fields(by_field), exc) from None
        if not days.z_days:
            _check_dates(expression, by_field, parts[0].cron.expanded)
        self._parts: tuple[_Part, ...] = tuple(parts)
        expanded = parts[0].cron.expanded
        # A schedule that matches every hour of the day fires once per *elapsed* hour
        # across DST changes; one pinned to some hours fires once per wall-clock match.
        self._every_hour: bool = expanded[_HOUR_INDEX] == ["*"]
        self._minute_grid = len(expanded) == len(_LAYOUTS[5])
        self._lock = threading.Lock()

    @property
    def expression(self) -> str:
        """The expression this parser was built from, as given."""
        return self._expression

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._expression!r})"

    def __reduce__(self) -> tuple[type[CronTab], tuple[str]]:
        return (type(self), (self._expression,))

    def next_run(self, *, now: datetime) -> datetime:
        """Return the first run strictly after ``now``, in ``now``'s timezone.

        Args:
            now: an aware datetime; the schedule is read in its timezone's wall clock.

        Returns:
            An aware datetime with ``now.tzinfo``.

        Raises:
            ValueError: ``now`` is naive, or the expression has no run after ``now``.
        """
        tz = now.tzinfo
        if tz is None or now.utcoffset() is None:
            msg = (
                f"{self!r}.next_run(now={now!r}): now is a naive datetime; pass an aware "
                "one, e.g. datetime.now(ZoneInfo('Europe/Berlin')) or now.replace(tzinfo=...)"
            )
            raise ValueError(msg)
        try:
            with self._lock:
                found = self._next_utc(now.astimezone(UTC), tz)
        except CroniterBadDateError:
            msg = (
                f"cron expression {self._expression!r} has no run after {now.isoformat()} "
                f"(searched {_MAX_YEARS} years); check its year, day-of-month and "
                "day-of-week fields"
            )
            raise ValueError(msg) from None
        return found.astimezone(tz)

    # --- internals -----------------------------------------------------------

    def _next_utc(self, now_utc: datetime, tz: tzinfo) -> datetime:
        now_wall = _wall(now_utc, tz)
        now_slot = _resolve(now_wall, tz)
        candidates = [self._first_occurrences(now_wall, now_utc, tz)]
        if self._every_hour and now_slot.second is not None:
            # ``now`` is inside a repeated hour: second occurrences may come first.
            if now_utc == now_slot.first:
                fold_start = _wall(_transition(now_utc, now_slot.second, tz), tz)
                start = self._before(fold_start)
            else:
                start = self._floor(now_wall)
            later = _resolve(self._after(start), tz)
            if not later.in_gap:
                candidates.append(later.first if later.second is None else later.second)
        return min(candidates)

    def _first_occurrences(self, now_wall: datetime, now_utc: datetime, tz: tzinfo) -> datetime:
        """Return the first run after ``now_utc`` that is a first (or only) occurrence."""
        cursor = self._floor(now_wall)
        while True:
            wall = self._after(cursor)
            slot = _resolve(wall, tz)
            if slot.in_gap:
                if not self._every_hour:
                    return slot.first  # the first instant after the gap
                cursor = self._before(_wall(slot.first, tz))  # skip the rest of the gap
            elif slot.first > now_utc:
                return slot.first
            elif slot.second is not None:
                # Its first occurrence has passed and ``now`` is in the repeated hour:
                # skip to the end of that hour.
                fold_start = _wall(_transition(slot.first, slot.second, tz), tz)
                cursor = self._before(fold_start + (slot.second - slot.first))
            else:  # pragma: no cover - a match after now_wall is always after now
                cursor = wall

    def _after(self, wall: datetime) -> datetime:
        """Return the first match of the union strictly after ``wall``."""
        found: datetime | None = None
        exhausted: CroniterBadDateError | None = None
        for part in self._parts:
            try:
                match: datetime = part.cron.get_next(datetime, start_time=wall + part.shift)
            except CroniterBadDateError as exc:
                exhausted = exc
                continue
            match -= part.shift
            if found is None or match < found:
                found = match
        if found is None:
            raise exhausted or CroniterBadDateError(self._expression)
        return found

    def _floor(self, wall: datetime) -> datetime:
        if self._minute_grid:
            return wall.replace(second=0, microsecond=0)
        return wall.replace(microsecond=0)

    def _before(self, wall: datetime) -> datetime:
        """Return a cursor from which the next match is at or after ``wall``."""
        return self._floor(wall - _MICROSECOND)


def create_crontab(expression: str) -> CronTab:
    """Build the parser for one cron expression: jobify's default ``cron_factory``.

    Args:
        expression: 5, 6 or 7 fields, or a macro such as ``@daily``.

    Returns:
        A :class:`CronTab`.

    Raises:
        ValueError: the expression is invalid; the message names the field at fault.
    """
    return CronTab(expression)


# --- parsing -----------------------------------------------------------------


def _translate(expression: str) -> dict[_Field, str]:
    """Check ``expression``'s shape; return its fields (a macro's five fields)."""
    if not isinstance(expression, str):
        msg = f"CronTab(expression=...): expected a str such as '*/5 * * * *', got {expression!r}"
        raise TypeError(msg)
    tokens = _FIELD_SPLIT.findall(expression)
    if len(tokens) == 1 and tokens[0].startswith("@"):
        macro = tokens[0].lower()
        if macro not in MACROS:
            msg = (
                f"cron expression {expression!r}: unknown macro {tokens[0]!r}; use one of "
                f"{', '.join(MACROS)}.{did_you_mean(macro, MACROS)}"
            )
            raise ValueError(msg)
        tokens = MACROS[macro].split()
    layout = _LAYOUTS.get(len(tokens))
    if layout is None:
        msg = f"cron expression {expression!r} has {len(tokens)} fields; {_LAYOUT_HELP}"
        raise ValueError(msg)
    by_field = {field: _single_values(token) for field, token in zip(layout, tokens, strict=True)}
    for field, token in by_field.items():
        _check_field(expression, field, token, probe=False)
    return by_field


class _Days(NamedTuple):
    """The day fields split into what croniter reads and what this module adds.

    The reference reads the items of a day field as a union, and has two items
    croniter lacks or cannot list beside others: ``Zn`` (day-of-month: n days
    before the month's last day) and ``Ln`` (day-of-week: the last weekday n of
    the month, here also as a range ``La-b`` and beside plain weekdays).
    """

    dom_plain: list[str]  # day-of-month items croniter reads
    z_days: list[int]  # the n of each Zn
    dow_plain: list[str]  # day-of-week items croniter reads alone or listed together
    dow_special: list[str]  # items croniter reads only alone: 'Ln' (ranges expanded), 'n#k'

    @classmethod
    def parse(cls, expression: str, by_field: dict[_Field, str]) -> _Days:
        dom_plain: list[str] = []
        z_days: list[int] = []
        for item in by_field[_DOM].split(","):
            if match := _Z_ITEM.fullmatch(item):
                z_days += _special_range(expression, _DOM, item, match, "Z")
            else:
                dom_plain.append("*" if item == "?" else item)  # croniter: '?' only alone
        dow_plain: list[str] = []
        dow_special: list[str] = []
        for item in by_field[_DOW].split(","):
            if match := _L_ITEM.fullmatch(item):
                dow_special += [f"L{n}" for n in _special_range(expression, _DOW, item, match, "L")]
            elif _NTH_ITEM.fullmatch(item):
                dow_special.append(item)
            else:
                dow_plain.append("*" if item == "?" else item)
        if z_days and any(_NTH_ITEM.fullmatch(item) for item in dow_special):
            msg = (
                f"cron expression {expression!r}: 'Zn' in field 'day-of-month' cannot be "
                f"combined with 'n#k' in field 'day-of-week' ({by_field[_DOW]!r}); use 'Ln' "
                "or plain weekdays"
            )
            raise ValueError(msg)
        return cls(dom_plain, sorted(set(z_days)), dow_plain, list(dict.fromkeys(dow_special)))

    def plain_fields(self, by_field: dict[_Field, str]) -> dict[_Field, str]:
        """``by_field`` with only the items croniter reads, to find which one it rejects."""
        out = dict(by_field)
        out[_DOM] = ",".join(self.dom_plain) or "*"
        out[_DOW] = ",".join(self.dow_plain) or "*"
        return out

    def weekday_sets(self) -> list[str]:
        """The day-of-week values of the union's parts: one croniter field each."""
        if not self.dow_special:
            return [",".join(self.dow_plain)]
        if _EVERY_DAY.intersection(self.dow_plain):
            return ["*"]  # every day, whatever the specials say ('L3,*')
        plain = [",".join(self.dow_plain)] if self.dow_plain else []
        return plain + self.dow_special


def _special_range(
    expression: str, field: _Field, item: str, match: re.Match[str], letter: str
) -> list[int]:
    """The numbers of a ``Zn``/``Za-b`` or ``Ln``/``La-b`` item, checked."""
    low = int(match[1])
    high = low if match[2] is None else int(match[2])
    if letter == "Z":
        meaning = f"'Zn' takes n 0-{_DAYS_BEFORE_LAST_MAX} (days before the month's last day)"
    else:
        meaning = "'Ln' takes a weekday n 0-7 (0 and 7 are Sunday)"
    if not (0 <= low <= _DAYS_BEFORE_LAST_MAX and 0 <= high <= _DAYS_BEFORE_LAST_MAX):
        detail = f"value {item!r} is out of range: {meaning}"
    elif low > high:
        detail = f"value {item!r} is a reversed range; write '{letter}{high}-{low}'"
    else:
        return list(range(low, high + 1))
    msg = f"cron expression {expression!r}: field {field.name!r} {detail}"
    raise ValueError(msg)


def _union(expression: str, by_field: dict[_Field, str], days: _Days) -> list[tuple[str, int]]:
    """The croniter expressions whose union is ``expression``, each with its shift in days.

    A ``Zn`` day is the month's last day moved n days back, and n is at most 7,
    so it stays in the same month and year: its part matches day ``L`` with
    every weekday moved n days forward, and runs n days earlier.
    """
    weekdays = days.weekday_sets()
    parts: list[tuple[dict[_Field, str], int]] = []
    if days.dom_plain:
        dom = ",".join(days.dom_plain)
        parts += [({_DOM: dom, _DOW: dow}, 0) for dow in weekdays]
    for n in days.z_days:
        for dow in weekdays:
            moved = _moved_weekdays(expression, dow, n)
            if moved is not None:
                parts.append(({_DOM: "L", _DOW: moved}, n))
    if not parts:
        msg = (
            f"cron expression {expression!r}: fields 'day-of-month' {by_field[_DOM]!r} and "
            f"'day-of-week' {by_field[_DOW]!r} never meet (a day 7 days before the month's "
            "last day is never the month's last weekday of its kind); the job would never run"
        )
        raise ValueError(msg)
    out = []
    for days_fields, shift in parts:
        fields = {**by_field, **days_fields}
        if len(by_field) == len(_LAYOUTS[5]):
            out.append((" ".join(fields[field] for field in _LAYOUTS[5]), shift))
        else:
            fields.setdefault(_SECOND, "0")
            out.append((" ".join(fields[field] for field in _CRONITER_ORDER), shift))
    return out


def _moved_weekdays(expression: str, dow: str, n: int) -> str | None:
    """Day-of-week ``dow`` moved n days forward; None if a ``Zn`` day can never match it."""
    if dow in _EVERY_DAY:
        return "*"
    if match := _L_ITEM.fullmatch(dow):
        # The last weekday m of a month is one of its last 7 days; a Zn day (n <= 6) is
        # one of them, so it is that weekday's last exactly when it is that weekday.
        if n == _DAYS_BEFORE_LAST_MAX:
            return None
        return str((int(match[1]) + n) % 7)
    try:
        values = croniter.expand(f"* * * * {dow}")[0][4]
    except _PARSE_ERRORS:
        return dow  # let croniter reject it with the field named
    if values == ["*"]:
        return "*"
    return ",".join(str(v) for v in sorted({(int(v) + n) % 7 for v in values}))


def _single_values(token: str) -> str:
    """Rewrite each equal range ``a-a`` (or ``a-a/n``) of a field as the value ``a``."""
    if "-" not in token:
        return token
    items = token.split(",")
    return ",".join(match[1] if (match := _EQUAL_RANGE.fullmatch(item)) else item for item in items)


def _check_field(expression: str, field: _Field, token: str, *, probe: bool) -> None:
    """Raise ``ValueError`` naming ``field`` if ``token`` is not valid there.

    Without ``probe`` only the cheap syntax checks run; with it, croniter parses
    each list item alone, to find which one it rejects.
    """
    items = token.split(",")
    if field in (_DOM, _DOW):
        special = _Z_ITEM if field is _DOM else _L_ITEM
        items = ["*" if item == "?" else item for item in items if not special.fullmatch(item)]
        items = items or ["*"]
    token = ",".join(items)
    for item in items if len(items) == 1 else [*items, token]:
        if not item:
            detail = f"value {token!r} has an empty list item; separate values with one ','"
        elif _HASHED_ITEM.match(item):
            detail = (
                f"value {item!r} uses croniter's hashed/random syntax ('H', 'R'), which "
                "jobify does not support; write the value explicitly"
            )
        elif not probe or _probe(field, item) is None:
            continue
        else:
            detail = _describe(field, item)
        msg = f"cron expression {expression!r}: field {field.name!r} {detail}"
        raise ValueError(msg)


def _probe(field: _Field, item: str) -> Exception | None:
    """Return croniter's error for ``item`` alone in ``field``, or None if it is valid."""
    probe = ["*"] * len(_CRONITER_ORDER)
    probe[_CRONITER_ORDER.index(field)] = item
    try:
        croniter.expand(" ".join(probe))
    except _PARSE_ERRORS as exc:
        return exc
    return None


def _describe(field: _Field, item: str) -> str:
    match = _NUMERIC_ITEM.fullmatch(item)
    if match is not None:
        low, high, step = match.groups()
        for number in (low, high):
            if number is not None and not field.low <= int(number) <= field.high:
                return f"value {item!r} is out of range {field.low}-{field.high}"
        if step is not None and int(step) == 0:
            return f"value {item!r} has a step of 0; use a step of 1 or more"
    return (
        f"value {item!r} is not valid; expected {field.values}, '*', a range 'a-b', a step "
        f"'*/n' or 'a-b/n'{field.special}, or a comma-separated list of these"
    )


def _whole_error(expression: str, by_field: dict[_Field, str], exc: Exception) -> ValueError:
    """Turn croniter's rejection of the whole expression into an error naming the field."""
    for field, token in by_field.items():
        _check_field(expression, field, token, probe=True)  # raises for the field at fault
    return ValueError(f"cron expression {expression!r}: {_clean(exc)}")


def _check_dates(expression: str, by_field: dict[_Field, str], expanded: list[list[Any]]) -> None:
    """Reject plain day-of-month values that no listed month has (e.g. February 30)."""
    days, months = expanded[_DOM_INDEX], expanded[_MONTH_INDEX]
    if "w" in by_field[_DOM].lower() or not all(isinstance(v, int) for v in [*days, *months]):
        return  # '*' and 'L' always have a date; 'nW' moves to the month's last weekday
    years: list[Any] = expanded[_YEAR_INDEX] if len(expanded) > _YEAR_INDEX else ["*"]
    leap = any(not isinstance(year, int) or calendar.isleap(year) for year in years)
    longest = max(29 if month == 2 and leap else _DAYS_IN_MONTH[month] for month in months)
    if min(days) > longest:
        msg = (
            f"cron expression {expression!r}: fields 'day-of-month' {by_field[_DOM]!r} and "
            f"'month' {by_field[_MONTH]!r} never meet on a real date (the longest of those "
            f"months has {longest} days); the job would never run"
        )
        raise ValueError(msg)


def _clean(exc: BaseException) -> str:
    """Return croniter's message without the expression it echoes in brackets."""
    return _CRONITER_PREFIX.sub("", str(exc)) or type(exc).__name__


# --- wall clock <-> instants -----------------------------------------------------


def _wall(instant: datetime, tz: tzinfo) -> datetime:
    """Return the naive wall-clock reading of ``instant`` in ``tz``."""
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def _offset(value: datetime) -> timedelta:
    offset = value.utcoffset()
    if offset is None:  # pragma: no cover - only for a tzinfo that gives up mid-way
        msg = f"timezone {value.tzinfo!r} returned no UTC offset for {value!r}"
        raise ValueError(msg)
    return offset


def _resolve(wall: datetime, tz: tzinfo) -> _Slot:
    """Map a naive wall-clock time in ``tz`` to its real instant(s)."""
    early = _offset(wall.replace(tzinfo=tz, fold=0))
    late = _offset(wall.replace(tzinfo=tz, fold=1))
    first = (wall - early).replace(tzinfo=UTC)
    if early == late:
        return _Slot(first, None, in_gap=False)
    lo, hi = sorted((first, (wall - late).replace(tzinfo=UTC)))
    if _wall(lo, tz) == wall:  # both readings are real: a repeated (fall-back) time
        return _Slot(lo, hi, in_gap=False)
    return _Slot(_transition(lo, hi, tz), None, in_gap=True)


def _transition(lo: datetime, hi: datetime, tz: tzinfo) -> datetime:
    """Return the first whole-second instant in ``(lo, hi]`` whose UTC offset differs from lo's."""
    base = _offset(lo.astimezone(tz))
    lo_s = (lo - _EPOCH) // _SECOND_DELTA
    hi_s = -((_EPOCH - hi) // _SECOND_DELTA)
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if _offset((_EPOCH + mid * _SECOND_DELTA).astimezone(tz)) == base:
            lo_s = mid
        else:
            hi_s = mid
    return _EPOCH + hi_s * _SECOND_DELTA
