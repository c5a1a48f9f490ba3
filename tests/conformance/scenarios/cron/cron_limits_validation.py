"""Cron(max_runs=..., max_failures=...) limits: which fail when Cron is built (max_runs 0 or < -1: differences/cron_refused_values)."""

from typing import Any

from harness import catch, report

from jobify import Cron


def build(**kwargs: Any) -> dict[str, Any]:
    return catch(
        lambda: [Cron("* * * * *", **kwargs).max_runs, Cron("* * * * *", **kwargs).max_failures]
    )


report(
    {
        "max_runs=1": build(max_runs=1),
        "max_runs=-1": build(max_runs=-1),
        "max_failures=1": build(max_failures=1),
        "max_failures=0": build(max_failures=0),
        "max_failures=-1": build(max_failures=-1),
        "max_failures=-5": build(max_failures=-5),
    }
)
