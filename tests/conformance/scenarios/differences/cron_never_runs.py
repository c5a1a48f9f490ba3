"""A cron expression with no run (left): refused when parsed, or ValueError from next_run (ours); next_run returns None (0.14), which its scheduler then fails on."""

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from harness import acatch, catch, report

from jobify import Jobify
from jobify.crontab import create_crontab

NOW = datetime(2026, 1, 1, 12, 0, 3, tzinfo=ZoneInfo("UTC"))


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
        out.append(now.strftime("%a %Y-%m-%d %H:%M:%S"))
    return out


app = Jobify(storage=False)


@app.task
async def job() -> None: ...


async def schedule(expression: str) -> dict[str, object]:
    async with app:
        return await acatch(job.schedule().cron(expression, job_id="never"))


report(
    {
        # never on a real date: refused when parsed (ours)
        **{
            expression: catch(runs, expression)
            for expression in [
                "0 0 30 2 *",
                "0 0 31 4 *",
                "0 0 29 2 * 2027",
                "0 0 Z7 * L5",
                "0 0 * * L7-1",
            ]
        },
        # runs until a point, or never after now: next_run raises ValueError (ours)
        **{
            expression: catch(runs, expression)
            for expression in [
                "0 0 1 1 * 2025",
                "0 0 15 * L5",
                "0 0 1 1 * 2026-2030/2",
                "0 0 1 1 * 2028,2030",
                "0 0 1 1 * 2099",
                "0 0 0 1 1 * 2030",
                "0 0 L 2 * 2028",
            ]
        },
        "schedule_past_year": asyncio.run(schedule("0 0 1 1 * 2025")),
        "schedule_feb_30": asyncio.run(schedule("0 0 30 2 *")),
    }
)
