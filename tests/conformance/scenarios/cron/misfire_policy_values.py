"""MisfirePolicy members, values and str; GracePolicy's shape; MisfirePolicy.GRACE(...)."""

from datetime import timedelta

from harness import catch, report

from jobify import GracePolicy, MisfirePolicy

grace = GracePolicy(timedelta(seconds=30))
made = MisfirePolicy.GRACE(timedelta(seconds=5))
report(
    {
        "members": [m.name for m in MisfirePolicy],
        "values": [m.value for m in MisfirePolicy],
        "str": [str(m) for m in MisfirePolicy],
        "format": [f"{m}" for m in MisfirePolicy],
        "is_str": isinstance(MisfirePolicy.ALL, str),
        "equals_value": MisfirePolicy.SKIP == "skip",
        "by_value": MisfirePolicy("once").name,
        "bad_value": catch(MisfirePolicy, "never"),
        "grace_fields": list(GracePolicy._fields),
        "grace_value": str(grace.value),
        "grace_is_tuple": isinstance(grace, tuple),
        "grace_eq": grace == GracePolicy(timedelta(seconds=30)),
        "GRACE_type": type(made).__name__,
        "GRACE_value": str(made.value),
        "GRACE_is_member": "GRACE" in MisfirePolicy.__members__,
    }
)
