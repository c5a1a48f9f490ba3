"""Cron syntax only ours accepts (croniter's n#k and nW, wrap-around ranges, steps past a field's end, @midnight, upper-case macros); 0.14 raises ValueError."""

from datetime import datetime
from zoneinfo import ZoneInfo

from harness import catch, report

from jobify.crontab import create_crontab

NOW = datetime(2026, 1, 1, 12, 0, 3, tzinfo=ZoneInfo("UTC"))


def runs(expression: str, count: int = 2) -> list[str | None]:
    parser = create_crontab(expression)
    now, out = NOW, []
    for _ in range(count):
        now = parser.next_run(now=now)
        out.append(now.strftime("%a %Y-%m-%d %H:%M:%S"))
    return out


report(
    {
        expression: catch(runs, expression)
        for expression in [
            "0 0 * * 1#2",
            "0 0 15W * *",
            "0 0 * 11-2 *",
            "0 0 * * fri-mon",
            "0 0 * * 1#2,3",
            "59/15 * * * *",
            "@midnight",
            "@DAILY",
        ]
    }
)
