"""Retry values 0.14 and ours both take: a shrinking backoff, max below initial, ints, retry=True / None / 0."""

from harness import catch, report

from jobify import Jobify, SmartRetry

app = Jobify(storage=False)


def declare(name: str, retry: object) -> str:
    async def task() -> None: ...

    route = app.task(name=name, retry=retry)(task)
    return type(route).__name__


# values 0.14 accepts and then ignores: differences/retry_refused_values
report(
    {
        "smart_factor_below_one": catch(lambda: repr(SmartRetry(1, backoff_factor=0.5))),
        "smart_max_below_initial": catch(
            lambda: repr(SmartRetry(1, initial_delay=10, max_delay=1))
        ),
        "smart_ints": catch(lambda: repr(SmartRetry(2, initial_delay=1, max_delay=5))),
        "task_bool": catch(declare, "bool", True),
        "task_none": catch(declare, "none", None),
        "task_zero": catch(declare, "zero", 0),
    }
)
