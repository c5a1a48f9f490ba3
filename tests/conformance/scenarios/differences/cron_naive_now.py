"""next_run(now=<naive datetime>): ValueError asking for an aware one (ours) or a naive result (0.14)."""

from datetime import UTC, datetime

from harness import catch, report

from jobify.crontab import create_crontab

daily = create_crontab("0 0 * * *")
report(
    {
        "naive_now": catch(lambda: repr(daily.next_run(now=datetime(2026, 1, 1)))),  # noqa: DTZ001
        "aware_now": daily.next_run(now=datetime(2026, 1, 1, tzinfo=UTC)).isoformat(),
    }
)
