"""UnsafePickleSerializer dumpb/loadb: arbitrary picklable objects round-trip; a lambda cannot be pickled."""

import collections
from datetime import UTC, datetime
from typing import Any

from harness import catch, report

from jobify.serializers import UnsafePickleSerializer


class Custom:
    def __init__(self, n: int) -> None:
        self.n = n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Custom) and other.n == self.n

    __hash__ = None  # type: ignore[assignment]


def round_trip(value: Any) -> list[Any]:
    serializer = UnsafePickleSerializer()
    data = serializer.dumpb(value)
    back = serializer.loadb(data)
    return [type(data).__name__, type(back).__name__, back == value]


report(
    {
        "custom": catch(round_trip, Custom(3)),
        "nested": catch(round_trip, {"a": (1, {2}), "d": datetime(2030, 1, 1, tzinfo=UTC)}),
        "deque": catch(round_trip, collections.deque([1], maxlen=4)),
        "lambda": catch(round_trip, lambda: 1),
        # bytes that are not a pickle: differences/serializer_decode_errors
    }
)
