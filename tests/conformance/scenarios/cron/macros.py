"""The macros @yearly @monthly @weekly @daily @hourly @annually; unknown ones fail (@reboot, @every)."""

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
        out.append(now.strftime("%a %Y-%m-%d %H:%M:%S"))
    return out


report(
    {
        expression: catch(runs, expression)
        for expression in [
            "@yearly",
            "@monthly",
            "@weekly",
            "@daily",
            "@hourly",
            "@annually",
            "@reboot",
            "@every",
        ]
    }
)
