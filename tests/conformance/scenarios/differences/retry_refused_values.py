"""Retry values 0.14 accepts and then ignores (no retry happens): refused where written (ours)."""

import asyncio
from typing import Any

from harness import exc, report

from jobify import Jobify, SmartRetry

CASES: dict[str, Any] = {
    "smart_negative": lambda: SmartRetry(-1, jitter=False),
    "smart_negative_delay": lambda: SmartRetry(2, initial_delay=-1, jitter=False),
    "task_negative": lambda: -1,
    "task_string": lambda: "3",
    "task_float": lambda: 1.5,
}


async def observe(make: Any) -> dict[str, Any]:
    """Build the retry value and declare a task with it; if that works, how often a failing job runs."""
    app = Jobify(storage=False)
    calls = 0

    async def failing() -> None:
        nonlocal calls
        calls += 1
        raise ValueError("boom")

    try:
        task = app.task(retry=make())(failing)
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return {"declare": exc(error)}
    async with app:
        job = await task.push()
        await asyncio.wait_for(job.wait(), 2)
    return {"declare": "declared", "calls": calls, "status": str(job.status)}


async def main() -> None:
    report({name: await observe(make) for name, make in CASES.items()})


asyncio.run(main())
