"""Property tests: typed values go dump -> JSON text -> load and come back as the annotated type."""

from __future__ import annotations

import dataclasses
import enum
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from jobify_typeadapter_pydantic import PydanticConverter

CONVERTER = PydanticConverter()
# the first example of each type builds its TypeAdapter: slow once, so no per-example deadline
RELAXED = settings(deadline=None)


def through_json(value: Any, tp: Any, converter: PydanticConverter = CONVERTER) -> Any:
    """What a durable job does to an argument: dump, serialize, deserialize, load."""
    text = json.dumps(converter.dump(value, tp))
    return converter.load(json.loads(text), tp)


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Address(BaseModel):
    street: str
    zip_code: Annotated[str, Field(alias="zip")]


class User(BaseModel):
    id: int
    name: str
    email: str | None = None
    created: datetime
    tags: list[str] = []
    score: float = 0.0
    color: Color = Color.RED
    address: Address | None = None


@dataclasses.dataclass
class Point:
    x: int
    y: float
    label: str = ""


@dataclasses.dataclass
class Shape:
    kind: Literal["polygon", "line"]
    points: list[Point]
    made: date


class Payload(TypedDict):
    key: uuid.UUID
    amount: Decimal


BY_ALIAS_NO_NONE = PydanticConverter(by_alias=True, exclude_none=True)

finite = st.floats(allow_nan=False, allow_infinity=False)
offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware = st.datetimes(timezones=st.just(UTC) | offsets)
addresses = st.builds(Address, street=st.text(), zip=st.text())
users = st.builds(
    User,
    id=st.integers(),
    name=st.text(),
    email=st.none() | st.emails(),
    created=aware,
    tags=st.lists(st.text(), max_size=3),
    score=finite,
    color=st.sampled_from(Color),
    address=st.none() | addresses,
)
points = st.builds(Point, x=st.integers(), y=finite, label=st.text())
shapes = st.builds(
    Shape,
    kind=st.sampled_from(["polygon", "line"]),
    points=st.lists(points, max_size=4),
    made=st.dates(),
)


@RELAXED
@given(users)
def test_models_come_back_as_models(user):
    got = through_json(user, User)
    assert type(got) is User
    assert got == user


@RELAXED
@given(st.lists(users, max_size=4))
def test_lists_of_models_come_back_as_lists_of_models(items):
    got = through_json(items, list[User])
    assert all(type(u) is User for u in got)
    assert got == items


@RELAXED
@given(st.dictionaries(st.text(), users, max_size=3))
def test_dicts_of_models(mapping):
    assert through_json(mapping, dict[str, User]) == mapping


@RELAXED
@given(shapes)
def test_dataclasses_nested_with_dates_and_literals(shape):
    got = through_json(shape, Shape)
    assert type(got) is Shape
    assert all(type(p) is Point for p in got.points)
    assert got == shape


@RELAXED
@given(aware)
def test_aware_datetimes_keep_instant_and_offset(moment):
    got = through_json(moment, datetime)
    assert type(got) is datetime
    assert got == moment
    assert got.utcoffset() == moment.utcoffset()


@RELAXED
@given(st.datetimes())
def test_naive_datetimes_stay_naive(moment):
    got = through_json(moment, datetime)
    assert got.tzinfo is None
    assert got == moment


@RELAXED
@given(st.dates(), st.times(), st.timedeltas())
def test_dates_times_and_timedeltas(day, moment, span):
    assert through_json(day, date) == day
    assert through_json(moment, time) == moment
    assert through_json(span, timedelta) == span


@RELAXED
@given(
    st.builds(Payload, key=st.uuids(), amount=st.decimals(allow_nan=False, allow_infinity=False))
)
def test_typed_dicts_with_uuid_and_decimal(payload):
    got = through_json(payload, Payload)
    assert type(got["key"]) is uuid.UUID
    assert type(got["amount"]) is Decimal
    assert got == payload


@RELAXED
@given(st.tuples(st.integers(), st.text()), st.sets(st.integers(), max_size=5))
def test_tuples_and_sets_come_back_as_themselves(pair, numbers):
    assert through_json(pair, tuple[int, str]) == pair
    assert through_json(numbers, set[int]) == numbers
    assert through_json(frozenset(numbers), frozenset[int]) == frozenset(numbers)


@RELAXED
@given(st.dictionaries(st.integers(), st.text(), max_size=5))
def test_int_keys_survive_json_string_keys(mapping):
    assert through_json(mapping, dict[int, str]) == mapping


@RELAXED
@given(st.one_of(users, points, st.none()))
def test_unions_pick_the_right_member(value):
    got = through_json(value, User | Point | None)
    assert type(got) is type(value)
    assert got == value


@RELAXED
@given(users)
def test_by_alias_and_exclude_none_still_round_trip(user):
    converter = BY_ALIAS_NO_NONE
    dumped = converter.dump(user, User)
    assert None not in dumped.values()
    if user.address is not None:
        assert "zip" in dumped["address"]
    assert through_json(user, User, converter) == user
