"""OrjsonSerializer, MsgpackSerializer, CBORSerializer dumpb/loadb: types that come back, and errors."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from harness import catch, report

from jobify.serializers import CBORSerializer, MsgpackSerializer, OrjsonSerializer

VALUES: dict[str, Any] = {
    "json_values": {"a": [1, 2.5, None, True, "ü"]},
    "tuple": (1, (2,)),
    "bytes": b"\x00x",
    "datetime": datetime(2030, 1, 1, 12, tzinfo=UTC),
    "date": date(2030, 1, 2),
    "uuid": uuid.UUID(int=7),
    "decimal": Decimal("1.10"),
    "set": {1},
    "int_keys": {1: "a"},
    "big_int": 2**70,
    "object": object(),
}


def round_trip(serializer: Any, value: Any) -> list[Any]:
    data = serializer.dumpb(value)
    back = serializer.loadb(data)
    return [
        type(data).__name__,
        type(back).__name__,
        repr(back) if not isinstance(back, dict) else back == value,
    ]


out = {}
for name, serializer in {
    "orjson": OrjsonSerializer(),
    "msgpack": MsgpackSerializer(),
    "cbor": CBORSerializer(),
}.items():
    out[name] = {key: catch(round_trip, serializer, value) for key, value in VALUES.items()}
    if name != "cbor":  # CBOR's decode error: differences/serializer_decode_errors
        out[name]["garbage"] = catch(lambda s=serializer: s.loadb(b"\xc1\xff\x00"))
report(out)
