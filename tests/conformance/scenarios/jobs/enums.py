"""RunMode and MisfirePolicy: members, values, `str()`, equality with strings; GracePolicy's shape."""

from datetime import timedelta
from enum import Enum

from harness import catch, report

from jobify import GracePolicy, MisfirePolicy, RunMode

grace = GracePolicy(timedelta(seconds=30))
report(
    {
        "run_modes": [(m.name, m.value) for m in RunMode],
        "run_mode_str": [str(m) for m in RunMode],
        "run_mode_eq": RunMode.THREAD == "thread",
        "run_mode_is_str": isinstance(RunMode.MAIN, str) and isinstance(RunMode.MAIN, Enum),
        "run_mode_lookup": catch(lambda: RunMode("process").name),
        "misfire": [(m.name, m.value) for m in MisfirePolicy],
        "misfire_str": [str(m) for m in MisfirePolicy],
        "misfire_eq": MisfirePolicy.ONCE == "once",
        "misfire_lookup_bad": catch(MisfirePolicy, "never"),
        "grace_value": grace.value.total_seconds(),
        "grace_tuple": list(grace) == [timedelta(seconds=30)],
        "grace_fields": list(GracePolicy._fields),
        "grace_eq": grace == GracePolicy(timedelta(seconds=30)),
    }
)
