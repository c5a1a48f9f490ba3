"""ExtendedJSONSerializer.dumpb of values it cannot store: which raise, and what type of error."""

import datetime as dt
import types
from typing import Any

from harness import catch, report

from jobify.serializers import ExtendedJSONSerializer


def dump(value: Any) -> str:
    ExtendedJSONSerializer().dumpb(value)
    return "stored"


report(
    {
        "object": catch(dump, object()),
        "range": catch(dump, range(3)),
        "slice": catch(dump, slice(1, 2)),
        "timezone": catch(dump, dt.UTC),
        "type": catch(dump, int),
        "function": catch(dump, len),
        "namespace": catch(dump, types.SimpleNamespace(a=1)),
        "memoryview": catch(dump, memoryview(b"a")),
        "nested_object": catch(dump, {"a": [object()]}),
    }
)
