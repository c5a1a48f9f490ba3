"""The croniter parser passes the cron parser contract suite."""

from collections.abc import Callable

import pytest

from jobify.crontab import CronParser
from jobify.testing.contracts import CronParserContract
from jobify_cron_croniter import create_crontab


class TestCroniterContract(CronParserContract):
    @pytest.fixture
    def factory(self) -> Callable[[str], CronParser]:
        return create_crontab
