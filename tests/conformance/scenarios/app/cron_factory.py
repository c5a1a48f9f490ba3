"""`Jobify(cron_factory=...)`: called with each cron expression; its parser's next_run sets exec_at."""

import asyncio
from datetime import datetime, timedelta

from harness import report

from jobify import Cron, Jobify
from jobify.crontab import CronParser

calls: list[str] = []


class EveryHour(CronParser):
    def __init__(self, expression: str) -> None:
        self.expression = expression

    def next_run(self, *, now: datetime) -> datetime:
        return (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def factory(expression: str) -> CronParser:
    calls.append(expression)
    return EveryHour(expression)


app = Jobify(storage=False, cron_factory=factory)


@app.task(cron=Cron("declared expression"))
async def declared() -> None:
    pass


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        job = await noop.schedule().cron("anything goes", job_id="x")
        at = job.exec_at
        active = sorted(j.cron_expression for j in app.get_active_jobs())
    report(
        {
            "calls": sorted(set(calls)),
            "exec_at_minute": at.minute,
            "exec_at_second": at.second,
            "expressions": active,
        }
    )


asyncio.run(main())
