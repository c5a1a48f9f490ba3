"""ExtendedJSONSerializer edge values: deque maxlen, bytes patterns, pure paths, tag-like dicts, keys."""

import collections
import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from harness import catch, report

from jobify.serializers import ExtendedJSONSerializer


def round_trip(value: Any) -> list[Any]:
    serializer = ExtendedJSONSerializer()
    back = serializer.loadb(serializer.dumpb(value))
    return [type(back).__name__, repr(back)]


report(
    {
        "deque_maxlen": catch(round_trip, collections.deque([1, 2], maxlen=3)),
        "bytes_pattern": catch(round_trip, re.compile(rb"x+")),
        "pure_posix_path": catch(round_trip, PurePosixPath("/etc")),
        "pure_windows_path": catch(round_trip, PureWindowsPath("C:\\x")),
        "tag_like_dict": catch(round_trip, {"__set__": [1]}),
        "int_keys": catch(round_trip, {1: "a"}),
        "tuple_keys": catch(round_trip, {(1, 2): "a"}),
        "nan": catch(
            lambda: repr(
                ExtendedJSONSerializer().loadb(ExtendedJSONSerializer().dumpb(float("nan")))
            )
        ),
        "ordered_dict": catch(round_trip, collections.OrderedDict(a=1)),
        "bool_and_none": catch(round_trip, [True, None, False]),
        "non_ascii_text": catch(lambda: json.loads(ExtendedJSONSerializer().dumpb("ü€"))),
    }
)
