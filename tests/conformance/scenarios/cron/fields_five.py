"""Five fields (minute hour day-of-month month day-of-week): values, ranges, steps, lists."""

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


report(
    {
        expression: catch(runs, expression)
        for expression in [
            "* * * * *",
            "5/15 * * * *",
            "1-5/2 * * * *",
            "*/20 9-17 * * *",
            "0 0,12 1,15 * *",
            "30 8 * * 1-5",
            "0 0 1 */3 *",
            "16-16 17 * 9-12 *",
            "  0   0 * * *  ",
            "21-22/5 * * * *",
        ]
    }
)
