"""`@app.task(cron=Cron(...))` passes Cron args/kwargs to each run and stops after max_runs."""

import asyncio

from harness import report

from jobify import Cron, Jobify

app = Jobify(storage=False)
calls: list[tuple[int, str]] = []


@app.task(cron=Cron("* * * * * * *", max_runs=2, args=(7,), kwargs={"label": "x"}))
async def tick(n: int, label: str = "default") -> str:
    calls.append((n, label))
    return f"{label}{n}"


async def main() -> None:
    async with app:
        job = app.get_active_jobs()[0]
        await asyncio.sleep(2.4)
        report(
            {
                "calls": calls,
                "status": job.status.value,
                "result": job.result() if job.is_done() else "not done",
                "active": len(app.get_active_jobs()),
                "cron_expression": job.cron_expression,
            }
        )


asyncio.run(main())
