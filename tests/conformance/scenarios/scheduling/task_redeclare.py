"""Declaring tasks twice: the same function again, or two functions under one name; two apps are apart."""

from harness import catch, report

from jobify import Jobify
from jobify.exceptions import BaseJobifyError, RouteAlreadyRegisteredError

app = Jobify(storage=False)
other = Jobify(storage=False)


async def job() -> None:
    pass


async def job2() -> None:
    pass


first = app.task(job)
report(
    {
        "same_function_again": catch(lambda: app.task(job) and "declared"),
        "same_name_other_function": catch(lambda: app.task(name=first.name)(job2) and "declared"),
        "custom_name_twice": catch(
            lambda: app.task(name="n")(job2) and app.task(name="n")(job2) and "declared"
        ),
        "other_app": catch(lambda: other.task(job).name),
        "error_bases": [c.__name__ for c in RouteAlreadyRegisteredError.__mro__[1:3]],
        "is_jobify_error": issubclass(RouteAlreadyRegisteredError, BaseJobifyError),
    }
)
