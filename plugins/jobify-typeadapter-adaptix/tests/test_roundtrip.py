"""Property tests: typed values go dump -> JSON text -> load and come back as the annotated type."""

from __future__ import annotations

import dataclasses
import enum
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal, NamedTuple, TypedDict

from adaptix import DebugTrail, Retort, dumper
from hypothesis import given, settings
from hypothesis import strategies as st

from jobify_typeadapter_adaptix import AdaptixConverter

CONVERTER = AdaptixConverter()
# the first example of each type makes the Retort generate its converter: slow once, so no per-example deadline
RELAXED = settings(deadline=None)


def through_json(value: Any, tp: Any, converter: AdaptixConverter = CONVERTER) -> Any:
    """What a durable job does to an argument: dump, serialize, deserialize, load."""
    text = json.dumps(converter.dump(value, tp))
    return converter.load(json.loads(text), tp)


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Address:
    street: str
    zip_code: str


@dataclasses.dataclass
class User:
    id: int
    name: str
    created: datetime
    email: str | None = None
    tags: list[str] = dataclasses.field(default_factory=list)
    score: float = 0.0
    color: Color = Color.RED
    address: Address | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: float
    label: Literal["a", "b"] = "a"


class Span(NamedTuple):
    start: date
    end: date
    every: timedelta


class Payment(TypedDict):
    key: uuid.UUID
    amount: Decimal
    memo: bytes


class Money:
    """A plain class (no dataclass, no attrs): adaptix loads it through ``__init__``."""

    def __init__(self, amount: Decimal, currency: str) -> None:
        self.amount = amount
        self.currency = currency

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and (self.amount, self.currency) == (
            other.amount,
            other.currency,
        )

    __hash__ = None  # type: ignore[assignment]


LAX = AdaptixConverter(strict_coercion=False)
WITH_MONEY_DUMPER = AdaptixConverter(
    recipe=[dumper(Money, lambda m: {"amount": str(m.amount), "currency": m.currency})]
)
GIVEN_RETORT = AdaptixConverter(retort=Retort(debug_trail=DebugTrail.DISABLE))

finite = st.floats(allow_nan=False, allow_infinity=False)
offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware = st.datetimes(timezones=st.just(UTC) | offsets)
users = st.builds(
    User,
    id=st.integers(),
    name=st.text(),
    created=aware,
    email=st.none() | st.emails(),
    tags=st.lists(st.text(), max_size=3),
    score=finite,
    color=st.sampled_from(Color),
    address=st.none() | st.builds(Address, street=st.text(), zip_code=st.text()),
)
points = st.builds(Point, x=st.integers(), y=finite, label=st.sampled_from(["a", "b"]))
decimals = st.decimals(allow_nan=False, allow_infinity=False)
# adaptix stores a timedelta as float seconds: exact to the microsecond for
# about 285 years either way
CENTURY = st.timedeltas(min_value=timedelta(days=-36_500), max_value=timedelta(days=36_500))


@RELAXED
@given(users)
def test_dataclasses_come_back_as_dataclasses(user):
    got = through_json(user, User)
    assert type(got) is User
    assert got == user


@RELAXED
@given(st.lists(users, max_size=4))
def test_lists_of_dataclasses(items):
    got = through_json(items, list[User])
    assert all(type(u) is User for u in got)
    assert got == items


@RELAXED
@given(st.dictionaries(st.text(), points, max_size=3))
def test_dicts_of_frozen_slotted_dataclasses_with_literals(mapping):
    assert through_json(mapping, dict[str, Point]) == mapping


@RELAXED
@given(st.builds(Span, start=st.dates(), end=st.dates(), every=CENTURY))
def test_named_tuples_with_dates_and_timedeltas(span):
    got = through_json(span, Span)
    assert type(got) is Span
    assert got == span


@RELAXED
@given(
    st.builds(Payment, key=st.uuids(), amount=decimals, memo=st.binary()),
)
def test_typed_dicts_with_uuid_decimal_and_bytes(payment):
    got = through_json(payment, Payment)
    assert type(got["key"]) is uuid.UUID
    assert type(got["amount"]) is Decimal
    assert type(got["memo"]) is bytes
    assert got == payment


@RELAXED
@given(aware)
def test_aware_datetimes_keep_instant_and_offset(moment):
    got = through_json(moment, datetime)
    assert got == moment
    assert got.utcoffset() == moment.utcoffset()


@RELAXED
@given(st.datetimes(), st.times())
def test_naive_datetimes_and_times(moment, clock):
    assert through_json(moment, datetime) == moment
    assert through_json(clock, time) == clock


@RELAXED
@given(st.tuples(st.integers(), st.text()), st.sets(st.integers(), max_size=5))
def test_tuples_sets_and_frozensets_come_back_as_themselves(pair, numbers):
    assert through_json(pair, tuple[int, str]) == pair
    assert through_json(numbers, set[int]) == numbers
    assert through_json(frozenset(numbers), frozenset[int]) == frozenset(numbers)


@RELAXED
@given(st.none() | users)
def test_optional_dataclass(value):
    assert through_json(value, User | None) == value


@RELAXED
@given(st.dictionaries(st.integers(), st.text(), max_size=5))
def test_int_keys_need_lax_coercion_after_json(mapping):
    assert through_json(mapping, dict[int, str], LAX) == mapping


@RELAXED
@given(st.builds(Money, amount=decimals, currency=st.sampled_from(["EUR", "USD"])))
def test_plain_classes_load_by_init_and_dump_through_a_recipe(money):
    got = through_json(money, Money, WITH_MONEY_DUMPER)
    assert type(got) is Money
    assert got == money


@RELAXED
@given(users)
def test_a_given_retort_is_used(user):
    assert through_json(user, User, GIVEN_RETORT) == user
