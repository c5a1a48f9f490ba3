"""The cron parser contract.

A cron parser plugin distribution registers a factory with
``jobify_register_cron_parsers``: called with an expression, it returns a
:class:`CronParser` (or raises ``ValueError`` naming the field at fault).
``create_crontab`` and ``CronTab`` come from ``jobify-cron-croniter``, the
default parser, when it is installed.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from jobify._assembly.seed import seed_getattr, seed_names

if TYPE_CHECKING:
    from datetime import datetime


__all__ = ("CronFactory", "CronParser", *seed_names(__name__))  # seed names resolve lazily


class CronParser(Protocol):
    """Computes the run times of one cron expression."""

    @abstractmethod
    def next_run(self, *, now: datetime) -> datetime:
        """Return the first run time strictly after ``now``, in ``now``'s timezone."""


CronFactory: TypeAlias = Callable[[str], CronParser]


def __getattr__(name: str) -> Any:
    return seed_getattr(__name__, name)
