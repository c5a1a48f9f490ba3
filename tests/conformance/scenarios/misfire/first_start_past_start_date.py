"""A declared cron whose start_date is 3 minutes past, at first start: runs per misfire policy."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from harness import report

from jobify import Cron, GracePolicy, Jobify, MisfirePolicy

POLICIES: dict[str, Any] = {
    "all": MisfirePolicy.ALL,
    "once": MisfirePolicy.ONCE,
    "skip": MisfirePolicy.SKIP,
    "grace_10_min": GracePolicy(timedelta(minutes=10)),
    "grace_1_s": GracePolicy(timedelta(seconds=1)),
}


async def run(policy: Any) -> dict[str, Any]:
    app = Jobify(storage=False)
    runs: list[int] = []
    start = datetime.now(UTC) - timedelta(minutes=3)

    @app.task(cron=Cron("* * * * *", start_date=start, misfire_policy=policy))
    async def tick() -> None:
        runs.append(1)

    async with app:
        job = app.get_active_jobs()[0]
        first_exec_at = "past" if job.exec_at <= datetime.now(UTC) else "future"
        await asyncio.sleep(0.4)
        after = "past" if job.exec_at <= datetime.now(UTC) else "future"
        return {"first_exec_at": first_exec_at, "runs": len(runs), "exec_at_after": after}


async def main() -> None:
    report({name: await run(policy) for name, policy in POLICIES.items()})


asyncio.run(main())
