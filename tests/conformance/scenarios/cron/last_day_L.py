"""`L` in day-of-month is the month's last day, alone or listed with days or `*`."""

from datetime import datetime
from zoneinfo import ZoneInfo

from harness import catch, report

from jobify.crontab import create_crontab

NOW = datetime(2026, 1, 1, 12, 0, 3, tzinfo=ZoneInfo("UTC"))


def runs(expression: str, count: int = 4) -> list[str | None]:
    parser = create_crontab(expression)
    now, out = NOW, []
    for _ in range(count):
        try:
            now = parser.next_run(now=now)
        except ValueError as error:  # no run left: ours raises where 0.14 returns None
            out.append(f"raised {type(error).__name__}")
            break
        if now is None:
            out.append(None)
            break
        out.append(now.strftime("%a %Y-%m-%d"))
    return out


# the runs that exist; what comes after the last one is differences/cron_never_runs
COUNTS = {
    "0 0 L * *": 4,
    "0 0 1,L * *": 4,
    "0 0 L,* * *": 4,
    "0 0 L 2 *": 4,
    "0 0 l * *": 4,
    "0 0 L 2 * 2028": 1,
}
report({expression: catch(runs, expression, count) for expression, count in COUNTS.items()})
