"""Cron runs across DST changes in Europe/Berlin: no wall time that does not exist, no hour lost."""

from datetime import datetime
from zoneinfo import ZoneInfo

from harness import report

from jobify.crontab import create_crontab

BERLIN = ZoneInfo("Europe/Berlin")


def runs(expression: str, start: datetime, count: int) -> list[str]:
    parser = create_crontab(expression)
    out = []
    now = start
    for _ in range(count):
        now = parser.next_run(now=now)
        out.append(f"{now.isoformat()} fold={now.fold}")
    return out


spring = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)  # the clocks go 02:00 -> 03:00 on the 29th
autumn = datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)  # and 03:00 -> 02:00 on 2026-10-25
report(
    {
        "daily_0230_spring": runs("30 2 * * *", spring, 2),
        "hourly_spring": runs("0 * * * *", datetime(2026, 3, 29, 0, 30, tzinfo=BERLIN), 3),
        "daily_0230_autumn": runs("30 2 * * *", autumn, 2),
        "hourly_autumn": runs("0 * * * *", datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN), 4),
    }
)
