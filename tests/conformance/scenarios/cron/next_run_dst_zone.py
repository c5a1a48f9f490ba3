"""Next runs in a DST zone across the changes, at times that exist once (the offsets follow)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from harness import catch, report

from jobify.crontab import create_crontab


def runs(expression: str, zone: str, start: tuple[int, ...], count: int = 4) -> list[str]:
    tz = ZoneInfo(zone)
    parser = create_crontab(expression)
    now = datetime(*start, tzinfo=tz)
    out = []
    for _ in range(count):
        now = parser.next_run(now=now)
        out.append(f"{now.isoformat()} {now.tzinfo}")
    return out


report(
    {
        "ny_daily_9_spring": catch(runs, "0 9 * * *", "America/New_York", (2026, 3, 6, 12)),
        "ny_daily_9_fall": catch(runs, "0 9 * * *", "America/New_York", (2026, 10, 30, 12)),
        "berlin_weekly_spring": catch(runs, "0 12 * * 0", "Europe/Berlin", (2026, 3, 20)),
        "sydney_monthly": catch(runs, "0 8 1 * *", "Australia/Sydney", (2026, 3, 15)),
        "ny_every_6h_quiet_day": catch(runs, "0 */6 * * *", "America/New_York", (2026, 3, 9, 1)),
        "ny_seconds": catch(
            runs, "*/20 59 23 * * * *", "America/New_York", (2026, 3, 7, 23, 59, 30)
        ),
    }
)
