"""CronContext built directly: is_run_exceeded_by_limit / is_failure_allowed_by_limit by counts."""

from datetime import UTC, datetime

from harness import catch, report

from jobify import Cron, CronContext, Job
from jobify.crontab import create_crontab

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def context(cron: Cron, run_count: int, failure_count: int = 0) -> CronContext[None]:
    job: Job[None] = Job(job_id="x", storage=None, exec_at=NOW, unregister_hook=lambda _: None)  # type: ignore[arg-type]
    return CronContext(
        cron=cron,
        cron_parser=create_crontab(cron.expression),
        job=job,
        offset=NOW,
        run_count=run_count,
        failure_count=failure_count,
    )


def limits(cron: Cron, run_count: int, failure_count: int = 0) -> list[bool]:
    ctx = context(cron, run_count, failure_count)
    return [ctx.is_run_exceeded_by_limit(), ctx.is_failure_allowed_by_limit()]


three = Cron("* * * * *", max_runs=3, max_failures=2)
endless = Cron("* * * * *")
ctx = context(three, 1)
job = Job(job_id="y", storage=None, exec_at=NOW, unregister_hook=lambda _: None)  # type: ignore[arg-type]
before = [job.is_cron(), job.cron_expression]
job.bind_cron_context(ctx)
report(
    {
        "fields": [ctx.run_count, ctx.failure_count, ctx.offset.isoformat(), ctx.cron is three],
        "runs_2_of_3": catch(limits, three, 2),
        "runs_3_of_3": catch(limits, three, 3),
        "runs_4_of_3": catch(limits, three, 4),
        "failures_1_of_2": catch(limits, three, 0, 1),
        "failures_2_of_2": catch(limits, three, 0, 2),
        "endless_many_runs": catch(limits, endless, 10_000, 9),
        "endless_10_failures": catch(limits, endless, 0, 10),
        "bound_before": before,
        "bound_after": [job.is_cron(), job.cron_expression],
    }
)
