"""Seven fields are SECONDS first, the five, then YEAR; `* * * * * * *` is every second."""

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
        out.append(now.strftime("%a %Y-%m-%d %H:%M:%S"))
    return out


# the runs that exist; what comes after the last one is differences/cron_never_runs
COUNTS = {
    "* * * * * * *": 4,
    "*/10 * * * * * *": 4,
    "*/15 0 12 * * * *": 4,
    "30 0 12 * * * *": 4,
    "0 0 0 1 1 * 2030": 1,
    "5,35 * * * * * 2026": 4,
    "0 */30 * * * * *": 4,
}
report({expression: catch(runs, expression, count) for expression, count in COUNTS.items()})
