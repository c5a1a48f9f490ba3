"""A declared cron whose start_date is ahead: nothing runs at startup, whatever the policy."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from harness import report

from jobify import Cron, Jobify, MisfirePolicy


async def run(policy: MisfirePolicy) -> dict[str, Any]:
    app = Jobify(storage=False)
    runs: list[int] = []
    start = datetime.now(UTC) + timedelta(hours=1)

    @app.task(cron=Cron("* * * * *", start_date=start, misfire_policy=policy))
    async def tick() -> None:
        runs.append(1)

    async with app:
        job = app.get_active_jobs()[0]
        await asyncio.sleep(0.3)
        return {"runs": len(runs), "exec_at_is_start_date": job.exec_at == start}


async def main() -> None:
    report({policy.value: await run(policy) for policy in MisfirePolicy})


asyncio.run(main())
