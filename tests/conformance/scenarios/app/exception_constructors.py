"""How a user builds jobify's exceptions: the parameters of each class, and a call with no arguments."""

import inspect

from harness import catch, report

from jobify.exceptions import (
    ApplicationStateError,
    BaseJobifyError,
    DuplicateJobError,
    JobFailedError,
    JobNotCompletedError,
    JobTimeoutError,
    RouteAlreadyRegisteredError,
)

CLASSES = (
    ApplicationStateError,
    BaseJobifyError,
    DuplicateJobError,
    JobFailedError,
    JobNotCompletedError,
    JobTimeoutError,
    RouteAlreadyRegisteredError,
)


def parameters(cls: type) -> list[str] | str:
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]  # minus self
    except ValueError:
        return "Exception's own"
    return [f"{p.kind.name}:{p.name}" for p in params]


report(
    {
        c.__name__: {"parameters": parameters(c), "no_args": catch(lambda c=c: type(c()).__name__)}
        for c in CLASSES
    }
)
