"""Odd retry values: SmartRetry with negative or inverted settings, retry=-1 / "3" / 1.5 / True / None."""

from harness import catch, report

from jobify import Jobify, SmartRetry

app = Jobify(storage=False)


def declare(name: str, retry: object) -> str:
    async def task() -> None: ...

    route = app.task(name=name, retry=retry)(task)
    return type(route).__name__


report(
    {
        "smart_negative": catch(lambda: repr(SmartRetry(-1))),
        "smart_negative_delay": catch(lambda: repr(SmartRetry(1, initial_delay=-1))),
        "smart_factor_below_one": catch(lambda: repr(SmartRetry(1, backoff_factor=0.5))),
        "smart_max_below_initial": catch(
            lambda: repr(SmartRetry(1, initial_delay=10, max_delay=1))
        ),
        "task_negative": catch(declare, "neg", -1),
        "task_string": catch(declare, "str", "3"),
        "task_float": catch(declare, "float", 1.5),
        "task_bool": catch(declare, "bool", True),
        "task_none": catch(declare, "none", None),
    }
)
