"""`Cron(max_failures=2)` counts consecutive failures: fail, succeed, fail... keeps running."""

import asyncio

from harness import report

from jobify import Cron, Jobify

app = Jobify(storage=False)
outcomes: list[str] = []


@app.task
async def flaky() -> str:
    if len(outcomes) % 2 == 0:
        outcomes.append("fail")
        raise RuntimeError("even run")
    outcomes.append("ok")
    return "ok"


async def main() -> None:
    async with app:
        job = await flaky.schedule().cron(
            Cron("* * * * * * *", max_failures=2, max_runs=4), job_id="f"
        )
        await asyncio.sleep(4.4)
        report({"outcomes": outcomes, "status": job.status.value, "is_done": job.is_done()})


asyncio.run(main())
