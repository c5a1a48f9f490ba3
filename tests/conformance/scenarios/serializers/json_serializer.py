"""JSONSerializer dumpb/loadb directly: JSON values round-trip, tuples become lists, others fail."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from harness import catch, report

from jobify.serializers import JSONSerializer


def round_trip(value: Any) -> list[Any]:
    serializer = JSONSerializer()
    data = serializer.dumpb(value)
    back = serializer.loadb(data)
    return [type(data).__name__, type(back).__name__, repr(back)]


report(
    {
        "dict": catch(round_trip, {"a": [1, 2.5, None, True, "x"]}),
        "tuple": catch(round_trip, (1, (2, 3))),
        "int_keys": catch(round_trip, {1: "a"}),
        "non_ascii": catch(round_trip, "ü€"),
        "nan": catch(round_trip, float("nan")),
        "big_int": catch(round_trip, 2**70),
        "datetime": catch(round_trip, datetime(2030, 1, 1, tzinfo=UTC)),
        "set": catch(round_trip, {1}),
        "decimal": catch(round_trip, Decimal("1.1")),
        "bytes": catch(round_trip, b"x"),
        "valid_json_text": catch(lambda: json.loads(JSONSerializer().dumpb({"k": [1]}))),
    }
)
