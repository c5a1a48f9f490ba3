"""Hook implementations of jobify-cron-croniter: offers the ``croniter`` cron parser.

Only ``jobify.hookspecs`` is imported here; ``croniter`` is imported when an
app selects this parser (it is the default one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobify.hookspecs import hookimpl

if TYPE_CHECKING:
    from jobify.crontab import CronParser
    from jobify.hookspecs import Register

__all__ = ("jobify_register_cron_parsers",)

JOBIFY_CONTRACT_TESTS = "tests/test_contract.py"
"""Where this distribution runs its capability's suite from ``jobify.testing.contracts``."""


@hookimpl
def jobify_register_cron_parsers(register: Register[CronParser]) -> None:
    """Offer ``[jobify.cron] use = "croniter"``, the default cron parser."""
    register("croniter", "jobify_cron_croniter.crontab:create_crontab", default=True)
