"""The type-adapter suite: typed arguments round-trip through a message."""

from __future__ import annotations

import dataclasses
import enum
import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from jobify._kernel.message import decode, encode
from jobify._kernel.runnable import FuncSpec
from jobify._kernel.triggers import At
from jobify.typeadapter import Dumper, Loader

if TYPE_CHECKING:
    pass

__all__ = ("TypeAdapterContract",)


UTC = timezone.utc  # noqa: UP017 - one name for the suites
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class _Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class _Point:
    x: int
    y: float
    label: str = ""


@dataclasses.dataclass
class _Event:
    name: str
    at: datetime
    points: list[_Point]
    counts: dict[str, int]
    note: str | None = None


_IST = timezone(timedelta(hours=5, minutes=30))
_EVENT = _Event(
    "launch", datetime(2030, 3, 31, 2, 30, tzinfo=_IST), [_Point(1, 2.5, "a")], {"k": 1}
)
_TYPED_CASES: list[tuple[str, Any, Any]] = [
    ("datetime-utc", T0, datetime),
    ("datetime-offset", datetime(2030, 6, 1, 9, 15, 30, 123456, tzinfo=_IST), datetime),
    ("date", date(2032, 2, 29), date),
    ("timedelta", timedelta(hours=1, seconds=3), timedelta),
    ("dataclass", _Point(3, -1.5, "ünï"), _Point),
    ("nested-dataclass", _EVENT, _Event),
    ("list-of-dataclasses", [_Point(1, 1.0), _Point(2, 2.0, "b")], list[_Point]),
    ("dict-of-datetimes", {"a": T0, "b": T0.astimezone(_IST)}, dict[str, datetime]),
    ("optional-none", None, int | None),
    ("optional-int", 7, int | None),
    ("enum", _Color.GREEN, _Color),
    ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678"), uuid.UUID),
]


def _offsets(value: Any) -> Iterator[Any]:
    """Every datetime's UTC offset inside ``value``, in a fixed order."""
    if isinstance(value, datetime):
        yield value.utcoffset()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _offsets(getattr(value, field.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _offsets(item)
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _offsets(value[key])


def _typed_task(point: _Point, when: datetime, events: list[_Event], day: date) -> None:
    del point, when, events, day


class _StdJson:
    def dumpb(self, data: Any) -> bytes:
        return json.dumps(data).encode()

    def loadb(self, data: bytes) -> Any:
        return json.loads(data)


class TypeAdapterContract:
    """What every type adapter (a :class:`~jobify.typeadapter.Dumper` and ``Loader``) must do.

    Values annotated with a type go ``dump -> json.dumps -> json.loads -> load``
    (what a durable job does to its arguments) and come back equal, of the
    annotated type, with every datetime's UTC offset intact.

    Override ``adapter``: a fixture returning the adapter to test.
    """

    @pytest.fixture
    def adapter(self) -> Any:
        """Return the type adapter under test."""
        raise NotImplementedError("override the adapter fixture")

    def test_is_a_dumper_and_a_loader(self, adapter: Any) -> None:
        assert callable(getattr(adapter, "dump", None))
        assert callable(getattr(adapter, "load", None))

    @pytest.mark.parametrize(
        ("value", "tp"), [c[1:] for c in _TYPED_CASES], ids=[c[0] for c in _TYPED_CASES]
    )
    def test_round_trip_through_json_keeps_the_type(
        self, adapter: Any, value: Any, tp: Any
    ) -> None:
        dumped = adapter.dump(value, tp)
        text = json.dumps(dumped)  # plain JSON data, no default= hook
        got = adapter.load(json.loads(text), tp)
        assert got == value
        assert type(got) is type(value)
        assert list(_offsets(got)) == list(_offsets(value)), "a datetime lost its UTC offset"

    def test_job_message_round_trip(self, adapter: Any) -> None:
        dumper: Dumper = adapter
        loader: Loader = adapter
        spec: FuncSpec[None] = FuncSpec(_typed_task, name="mod:_typed_task")
        args = {
            "point": _Point(1, 2.0),
            "when": _EVENT.at,
            "events": [_EVENT],
            "day": date(2030, 1, 2),
        }
        message = encode(
            spec=spec, arguments=args, trigger=At(T0), cron_state=None,
            dumper=dumper, serializer=_StdJson(),
        )  # fmt: skip
        got, trigger, _ = decode(message, spec=spec, serializer=_StdJson(), loader=loader)
        assert got == args
        assert type(got["point"]) is _Point
        assert type(got["events"][0]) is _Event
        assert got["when"].utcoffset() == _IST.utcoffset(None)
        assert trigger == At(T0)


# --- executors -------------------------------------------------------------------
