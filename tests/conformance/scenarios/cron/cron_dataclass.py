"""`Cron` is a dataclass: its fields, their defaults, equality, and that it can be changed."""

import dataclasses

from harness import report

from jobify import Cron, MisfirePolicy

cron = Cron("*/5 * * * *")
fields = [f.name for f in dataclasses.fields(Cron)]
defaults = {name: repr(getattr(cron, name)) for name in fields}
changed = Cron("* * * * *")
try:
    changed.max_runs = 3
    mutable = changed.max_runs == 3
except dataclasses.FrozenInstanceError:
    mutable = False
report(
    {
        "is_dataclass": dataclasses.is_dataclass(Cron),
        "fields": fields,
        "defaults": defaults,
        "positional_expression": Cron("0 0 * * *").expression,
        "equal": Cron("* * * * *") == Cron("* * * * *"),
        "unequal": Cron("* * * * *") == Cron("* * * * *", max_runs=2),
        "default_policy_is_once": cron.misfire_policy is MisfirePolicy.ONCE,
        "mutable": mutable,
        "hashable": Cron.__hash__ is not None,
    }
)
