"""Every `@app.task` option with a good value declares a task whose jobs run."""

import asyncio
from datetime import timedelta

from harness import exc, report

from jobify import Cron, GracePolicy, Jobify, MisfirePolicy, RunMode, SmartRetry

app = Jobify(storage=False)

OPTIONS = {
    "name": {"name": "named-task"},
    "cron_str": {"cron": "0 0 1 1 *"},
    "cron_obj": {"cron": Cron("0 0 1 1 *", max_runs=2, misfire_policy=MisfirePolicy.SKIP)},
    "cron_grace": {"cron": Cron("0 0 1 1 *", misfire_policy=GracePolicy(timedelta(seconds=5)))},
    "retry_int": {"retry": 2},
    "retry_smart": {"retry": SmartRetry(retries=1, initial_delay=0.01)},
    "timeout": {"timeout": 5},
    "timeout_float": {"timeout": 0.5},
    "durable_true": {"durable": True},
    "durable_false": {"durable": False},
    "run_mode_main": {"run_mode": RunMode.MAIN},
    "run_mode_thread": {"run_mode": RunMode.THREAD},
    "run_mode_str": {"run_mode": "thread"},
    "exception_handlers": {"exception_handlers": {KeyError: lambda e, ctx: "handled"}},
    "metadata": {"metadata": {"team": "a"}},
    "several": {"retry": 1, "timeout": 2, "durable": False, "run_mode": RunMode.THREAD},
}

routes = {}
declared = {}
for key, options in OPTIONS.items():

    def job(key: str = key) -> str:
        return key

    job.__qualname__ = f"job_{key}"
    try:
        routes[key] = app.task(**options)(job)
        declared[key] = "declared"
    except Exception as error:  # noqa: BLE001
        declared[key] = exc(error)


async def main() -> None:
    async with app:
        crons = sorted(j.cron_expression for j in app.get_active_jobs() if j.is_cron())
        jobs = {k: await r.push() for k, r in routes.items()}
        await asyncio.wait_for(asyncio.gather(*(j.wait() for j in jobs.values())), 3)
    report(
        {
            "declared": declared,
            "statuses": {k: j.status.value for k, j in jobs.items()},
            "cron_jobs_at_start": crons,
        }
    )


asyncio.run(main())
