"""PydanticConverter.dump/load directly: models, dataclasses, datetimes, enums; options."""

import dataclasses
import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from harness import catch, report
from pydantic import BaseModel, Field

from jobify.typeadapter import PydanticConverter


class Color(enum.Enum):
    RED = "red"


class Item(BaseModel):
    name: str = Field(alias="itemName")
    price: float | None = None


@dataclasses.dataclass
class Point:
    x: int
    y: int


def trip(converter: PydanticConverter, value: Any, tp: Any) -> list[Any]:
    dumped = converter.dump(value, tp)
    loaded = converter.load(dumped, tp)
    return [dumped, type(loaded).__name__, loaded == value]


plain = PydanticConverter()
item = Item(itemName="pen", price=None)
report(
    {
        # a model with an alias, dumped and loaded back: differences/pydantic_alias_round_trip
        "model_dump": catch(lambda: plain.dump(item, Item)),
        "model_by_alias": catch(lambda: PydanticConverter(by_alias=True).dump(item, Item)),
        "model_exclude_none": catch(lambda: PydanticConverter(exclude_none=True).dump(item, Item)),
        "dataclass": catch(trip, plain, Point(1, 2), Point),
        "datetime": catch(trip, plain, datetime(2030, 1, 1, tzinfo=UTC), datetime),
        "uuid": catch(trip, plain, uuid.UUID(int=1), uuid.UUID),
        "enum": catch(trip, plain, Color.RED, Color),
        "list_of_points": catch(trip, plain, [Point(1, 2)], list[Point]),
        "tuple": catch(trip, plain, (1, "a"), tuple[int, str]),
        "any": catch(trip, plain, {"a": 1}, Any),
        "lax_load": catch(lambda: plain.load("5", int)),
        "strict_load": catch(lambda: PydanticConverter(strict=True).load("5", int)),
        "invalid_load": catch(lambda: plain.load({"x": "no"}, Point)),
    }
)
