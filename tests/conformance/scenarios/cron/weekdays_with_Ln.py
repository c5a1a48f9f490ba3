"""Plain weekdays listed with `Ln` are a union: `5,L7` is Fridays and the last Sunday."""

from datetime import datetime
from zoneinfo import ZoneInfo

from harness import catch, report

from jobify.crontab import create_crontab

NOW = datetime(2026, 1, 1, 12, 0, 3, tzinfo=ZoneInfo("UTC"))


def runs(expression: str, count: int = 7) -> list[str | None]:
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
            "0 0 * * 5,L7",
            "0 0 * * L7,5",
            "0 0 * * mon,L5",
            "0 0 * * 1-2,L5",
            "0 0 * * */3,L5",
            "0 0 * * 1,L5,3",
            "0 0 * * L1-2,5",
            "0 0 * * L7,0",
            "0 0 * * 5,L7 2026",
        ]
    }
)
