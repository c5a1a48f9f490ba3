"""The cron-parser suite: next runs, timezones and errors that name the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from jobify.crontab import CronParser

if TYPE_CHECKING:
    pass

__all__ = ("CronParserContract",)


UTC = timezone.utc  # noqa: UP017 - one name for the suites
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class CronParserContract:
    """What every cron parser must do.

    Override ``factory``: a fixture returning the cron factory
    (``expression -> CronParser``).
    """

    @pytest.fixture
    def factory(self) -> Callable[[str], CronParser]:
        """Return the cron factory under test."""
        raise NotImplementedError("override the factory fixture")

    @pytest.mark.parametrize("expression", ["* * * * *", "*/15 * * * *", "0 0 1 * *", "@daily"])
    def test_next_run_is_after_now_and_aware(
        self, factory: Callable[[str], CronParser], expression: str
    ) -> None:
        parser = factory(expression)
        now = T0 + timedelta(seconds=17)
        seen: list[datetime] = []
        for _ in range(5):
            nxt = parser.next_run(now=now)
            assert nxt > now
            assert nxt.utcoffset() == now.utcoffset()
            seen.append(nxt)
            now = nxt
        assert seen == sorted(set(seen))

    def test_every_minute(self, factory: Callable[[str], CronParser]) -> None:
        parser = factory("* * * * *")
        assert parser.next_run(now=T0 + timedelta(seconds=30)) == T0 + timedelta(minutes=1)
        assert parser.next_run(now=T0) == T0 + timedelta(minutes=1)

    @pytest.mark.parametrize("expression", ["", "bad", "61 * * * *", "* * * *"])
    def test_invalid_expression_raises_value_error(
        self, factory: Callable[[str], CronParser], expression: str
    ) -> None:
        with pytest.raises(ValueError):
            factory(expression)

    def test_naive_now_raises_value_error(self, factory: Callable[[str], CronParser]) -> None:
        with pytest.raises(ValueError):
            factory("* * * * *").next_run(now=datetime(2030, 1, 1))


# --- type adapters ---------------------------------------------------------------
