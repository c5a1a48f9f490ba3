"""Cron(...) with odd field values (not a str, unknown policy, float runs, list args, None kwargs)."""

from datetime import datetime
from typing import Any

from harness import catch, report

from jobify import Cron


def build(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("expression", "* * * * *")
    return catch(lambda: {k: repr(getattr(Cron(**kwargs), k)) for k in kwargs})


report(
    {
        "expression_int": build(expression=5),
        "expression_empty": build(expression=""),
        "expression_invalid": build(expression="bad"),
        "misfire_policy_str": build(misfire_policy="once"),
        "misfire_policy_unknown": build(misfire_policy="x"),
        "max_runs_float": build(max_runs=1.5),
        "args_list": build(args=[1, 2]),
        "kwargs_none": build(kwargs=None),
        "start_date_naive": build(start_date=datetime(2030, 1, 1)),  # noqa: DTZ001
    }
)
