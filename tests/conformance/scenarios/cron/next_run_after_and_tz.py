"""next_run(now=...) is strictly after now and keeps now's tzinfo (ZoneInfo or fixed offset)."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from harness import report

from jobify.crontab import create_crontab

daily = create_crontab("0 0 * * *")
at_run = datetime(2026, 1, 2, tzinfo=UTC)
just_after = datetime(2026, 1, 1, 0, 0, 0, 500, tzinfo=UTC)
fixed = timezone(timedelta(hours=5, minutes=30))
berlin = ZoneInfo("Europe/Berlin")
by_fixed = create_crontab("0 9 * * *").next_run(now=datetime(2026, 7, 1, 12, tzinfo=fixed))
by_zone = create_crontab("0 9 * * *").next_run(now=datetime(2026, 7, 1, 12, tzinfo=berlin))
seconds = create_crontab("* * * * * * *").next_run(now=just_after)
report(
    {
        "at_a_run": daily.next_run(now=at_run).isoformat(),
        "just_after": daily.next_run(now=just_after).isoformat(),
        "seconds_just_after": seconds.isoformat(),
        "fixed": [by_fixed.isoformat(), by_fixed.tzinfo is fixed],
        "zone": [by_zone.isoformat(), by_zone.tzinfo is berlin],
        "utc_in_tokyo_now": create_crontab("0 0 * * *")
        .next_run(now=datetime(2026, 1, 1, 8, tzinfo=ZoneInfo("Asia/Tokyo")))
        .isoformat(),
        "reused_independent": [
            daily.next_run(now=datetime(2030, 5, 5, tzinfo=UTC)).isoformat(),
            daily.next_run(now=at_run).isoformat(),
        ],
    }
)
