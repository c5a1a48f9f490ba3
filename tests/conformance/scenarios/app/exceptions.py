"""jobify.exceptions: each class, its bases, and whether a user can raise and catch it."""

from harness import report

import jobify.exceptions as module
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


def direct_bases(cls: type) -> list[str]:
    return [b.__name__ for b in cls.__bases__]


def raisable(cls: type) -> object:
    try:
        raise cls("message")
    except BaseJobifyError:
        return "caught as BaseJobifyError"
    except RuntimeError:
        return "caught as RuntimeError"
    except TypeError:
        return "TypeError: takes no single positional argument"


report(
    {
        "bases": {c.__name__: direct_bases(c) for c in CLASSES},
        "mro": {c.__name__: [m.__name__ for m in c.__mro__] for c in CLASSES},
        "raise_one_arg": {c.__name__: raisable(c) for c in CLASSES},
        "in_all": sorted(n for n in module.__all__ if n in {c.__name__ for c in CLASSES}),
    }
)
