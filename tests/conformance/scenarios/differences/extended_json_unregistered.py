"""An unregistered dataclass, enum or NamedTuple: dumpb raises TypeError, as for any value it cannot store (ours); 0.14 stores it and loadb then raises KeyError."""

import dataclasses
import enum
from typing import Any, NamedTuple

from harness import catch, exc, report

from jobify.serializers import ExtendedJSONSerializer


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int


class Pair(NamedTuple):
    left: int
    right: int


def store_then_load(value: Any) -> dict[str, Any]:
    serializer = ExtendedJSONSerializer()
    try:
        data = serializer.dumpb(value)
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return {"dumpb": exc(error)}
    return {"dumpb": "stored", "loadb": catch(lambda: repr(serializer.loadb(data)))}


report(
    {
        "unregistered_dataclass": store_then_load(Point(1)),
        "unregistered_enum": store_then_load(Color.RED),
        "unregistered_namedtuple": store_then_load(Pair(1, 2)),
        "any_other_object": store_then_load(object()),
    }
)
