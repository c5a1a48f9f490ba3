"""Day-of-week range `0-0` means Sunday only (ours) or every day (0.14)."""

from datetime import UTC, datetime

from harness import report

from jobify.crontab import create_crontab


def runs(expression: str, count: int = 4) -> list[str]:
    parser = create_crontab(expression)
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday
    out = []
    for _ in range(count):
        now = parser.next_run(now=now)
        out.append(now.strftime("%a %Y-%m-%d %H:%M"))
    return out


report(
    {
        "dow_0_0": runs("0 0 * * 0-0"),
        "dow_0": runs("0 0 * * 0"),
        "dow_7": runs("0 0 * * 7"),
        "dow_sun": runs("0 0 * * sun"),
    }
)
