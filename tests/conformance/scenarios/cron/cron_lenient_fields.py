"""Cron(...) with a list of args, a kwargs dict, a policy member, an unparsable expression: built as given."""

from typing import Any

from harness import catch, report

from jobify import Cron, MisfirePolicy


def build(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("expression", "* * * * *")
    return catch(lambda: {k: repr(getattr(Cron(**kwargs), k)) for k in kwargs})


# the values 0.14 accepts and ours refuses (or reads differently) are in
# differences/cron_refused_values (and differences/cron_naive_start_date)
report(
    {
        "expression_invalid": build(expression="bad"),
        "args_list": build(args=[1, 2]),
        "kwargs_dict": build(kwargs={"a": 1}),
        "misfire_policy_member": build(misfire_policy=MisfirePolicy.SKIP),
    }
)
