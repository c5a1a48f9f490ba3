"""ExtendedJSONSerializer values ours round-trips and 0.14 refuses (TypeError), changes (maxlen, int keys) or reads as a tag."""

import collections
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
    }
)
