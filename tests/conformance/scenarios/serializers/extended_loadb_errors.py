"""ExtendedJSONSerializer.loadb / JSONSerializer.loadb of bytes they cannot decode: error types."""

from typing import Any

from harness import catch, report

from jobify.serializers import ExtendedJSONSerializer, JSONSerializer


def load(serializer: Any, data: Any) -> Any:
    return repr(serializer.loadb(data))


out = {}
for name, serializer in {"extended": ExtendedJSONSerializer(), "json": JSONSerializer()}.items():
    out[name] = {
        "garbage": catch(load, serializer, b"\xff\x00garbage\xfe"),
        "truncated": catch(load, serializer, b'{"a": '),
        "empty": catch(load, serializer, b""),
        "plain_json": catch(load, serializer, b'{"a": [1, 2.5, null]}'),
        "str_input": catch(load, serializer, '{"a": 1}'),
        "malformed_uuid_tag": catch(load, serializer, b'{"__uuid__": "not-a-uuid"}'),
        "unknown_tag": catch(load, serializer, b'{"__nope__": 1}'),
    }
report(out)
