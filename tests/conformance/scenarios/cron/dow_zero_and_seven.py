"""Day-of-week 0 and 7 are Sunday, in values, ranges and lists."""

from datetime import datetime
from zoneinfo import ZoneInfo

from harness import catch, report

from jobify.crontab import create_crontab

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=ZoneInfo("UTC"))


def runs(expression: str, count: int = 3) -> list[str | None]:
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
            "0 0 * * 0",
            "0 0 * * 7",
            "0 0 * * 6-7",
            "0 0 * * 0,7",
            "0 0 * * 5-7",
            "0 0 * * 0-1",
        ]
    }
)
