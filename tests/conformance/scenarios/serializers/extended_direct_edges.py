"""ExtendedJSONSerializer edge values: NaN, OrderedDict, bools, non-ASCII text, deque, str pattern, Path."""

import collections
import json
import re
from pathlib import Path
from typing import Any

from harness import catch, report

from jobify.serializers import ExtendedJSONSerializer


def round_trip(value: Any) -> list[Any]:
    serializer = ExtendedJSONSerializer()
    back = serializer.loadb(serializer.dumpb(value))
    return [type(back).__name__, repr(back)]


# values ours round-trips and 0.14 refuses, changes or reads as a tag:
# differences/extended_json_more_values
report(
    {
        "nan": catch(
            lambda: repr(
                ExtendedJSONSerializer().loadb(ExtendedJSONSerializer().dumpb(float("nan")))
            )
        ),
        "ordered_dict": catch(round_trip, collections.OrderedDict(a=1)),
        "bool_and_none": catch(round_trip, [True, None, False]),
        "non_ascii_text": catch(lambda: json.loads(ExtendedJSONSerializer().dumpb("ü€"))),
        "deque": catch(round_trip, collections.deque([1, 2])),
        "str_pattern": catch(round_trip, re.compile("x+", re.I)),
        "path": catch(round_trip, Path("/etc")),
    }
)
