"""ExtendedJSONSerializer registry: registry=[...], positional, add_system_types, register_hints."""

import dataclasses
import enum
from typing import Any, NamedTuple

from harness import catch, report

from jobify.serializers import ExtendedJSONSerializer


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0


class Pair(NamedTuple):
    left: Point
    right: int


def round_trip(serializer: ExtendedJSONSerializer, value: Any) -> list[Any]:
    back = serializer.loadb(serializer.dumpb(value))
    return [type(back).__name__, repr(back), back == value]


by_registry = ExtendedJSONSerializer(registry=[Point, Color, Pair])
added = ExtendedJSONSerializer()
added.add_system_types([Point, Color])
hinted = ExtendedJSONSerializer()
hinted.register_hints([Pair])
report(
    {
        "registry": catch(round_trip, by_registry, [Point(1, 2), Color.RED, Pair(Point(3), 4)]),
        "positional_registry": catch(lambda: round_trip(ExtendedJSONSerializer([Point]), Point(5))),
        "add_system_types": catch(round_trip, added, {"p": Point(1), "c": Color.RED}),
        "register_hints_namedtuple_and_fields": catch(round_trip, hinted, Pair(Point(1), 2)),
        # an unregistered class: differences/extended_json_unregistered
    }
)
