"""Expressions with no run (February 30, a past year, Z7 with a last weekday)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from harness import catch, report

from jobify.crontab import create_crontab

NOW = datetime(2026, 1, 1, 12, 0, 3, tzinfo=ZoneInfo("UTC"))


def runs(expression: str, count: int = 2) -> list[str | None]:
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


report(
    {
        expression: catch(runs, expression)
        for expression in [
            "0 0 30 2 *",
            "0 0 31 4 *",
            "0 0 29 2 * 2027",
            "0 0 1 1 * 2025",
            "0 0 15 * L5",
            "0 0 Z7 * L5",
            "0 0 * * L7-1",
        ]
    }
)
