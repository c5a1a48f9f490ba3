"""Cron expressions for jobify, with croniter doing the calendar arithmetic.

``create_crontab(expression)`` returns a :class:`CronTab` whose
``next_run(now=...)`` is the first run strictly after ``now``, computed in the
wall-clock time of ``now``'s timezone and correct across DST changes. It is
also importable as ``from jobify.crontab import create_crontab``.

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_cron_croniter._hooks``, does not import croniter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_cron_croniter.crontab import MACROS as MACROS
    from jobify_cron_croniter.crontab import CronTab as CronTab
    from jobify_cron_croniter.crontab import create_crontab as create_crontab

__all__ = ("MACROS", "CronTab", "create_crontab")


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("jobify_cron_croniter.crontab"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
