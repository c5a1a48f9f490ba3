"""ExtendedJSONSerializer().dumpb/loadb directly: each supported type's type, equality and JSON form."""

import collections
import ipaddress
import json
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from harness import catch, report

from jobify.serializers import ExtendedJSONSerializer

VALUES: dict[str, Any] = {
    "datetime": datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=3))),
    "datetime_utc": datetime(2030, 5, 6, 7, 8, 9, 10, tzinfo=UTC),
    "date": date(2030, 2, 28),
    "time": time(1, 2, 3, 4),
    "timedelta": timedelta(days=1, microseconds=5),
    "decimal": Decimal("1.10"),
    "uuid": uuid.UUID(int=5),
    "set": {1, 2},
    "frozenset": frozenset({"a"}),
    "tuple": (1, (2, 3)),
    "bytes": b"ab",
    "bytearray": bytearray(b"x"),
    "fraction": Fraction(3, 7),
    "complex": complex(1.5, -2),
    "path": Path("/tmp/x"),
    "ipv4": ipaddress.IPv4Address("10.0.0.1"),
    "ipv6_network": ipaddress.IPv6Network("fe80::/64"),
    "ipv4_interface": ipaddress.IPv4Interface("10.0.0.1/24"),
    "zoneinfo": ZoneInfo("Europe/Berlin"),
    "deque": collections.deque([1, (2,)]),
    "pattern": re.compile("a+b", re.IGNORECASE | re.MULTILINE),
    "nested": {"a": [(1, {2}), frozenset({3})], "b": collections.deque([Fraction(1, 2)])},
}


def round_trip(value: Any) -> dict[str, Any]:
    serializer = ExtendedJSONSerializer()
    data = serializer.dumpb(value)
    back = serializer.loadb(data)
    return {
        "bytes_type": type(data).__name__,
        "form": json.loads(data),
        "type": type(back).__name__,
        "equal": back == value,
    }


report({name: catch(round_trip, value) for name, value in VALUES.items()})
