"""Cron(...) values 0.14 builds and then ignores, misreads or fails on: refused when built (ours); a policy's value becomes the member."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from harness import acatch, catch, exc, report

from jobify import Cron, Jobify

EVERY_SECOND = "* * * * * * *"
PAST = datetime.now(UTC) - timedelta(minutes=3, seconds=30)  # three runs of a minute cron missed

CASES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "expression_int": ((5,), {}),
    "expression_empty": (("",), {}),
    "kwargs_none": ((EVERY_SECOND,), {"kwargs": None}),
    "misfire_policy_unknown": (("* * * * *",), {"misfire_policy": "x", "start_date": PAST}),
    "max_runs_0": ((EVERY_SECOND,), {"max_runs": 0}),
    "max_runs_-5": ((EVERY_SECOND,), {"max_runs": -5}),
    "max_runs_1.5": ((EVERY_SECOND,), {"max_runs": 1.5}),
}


async def observe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Build the Cron; if it builds, what a task declared with it does."""
    try:
        cron = Cron(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return {"build": exc(error)}
    app = Jobify(storage=False)
    runs = 0

    @app.task(cron=cron)
    async def job() -> None:
        nonlocal runs
        runs += 1

    out: dict[str, Any] = {"build": "built"}
    started = await acatch(app.startup())
    if "raised" in started:
        out["startup"] = started
        return out
    deadline = time.monotonic() + 3.5
    while app.get_active_jobs() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    out.update(runs=runs, done=not app.get_active_jobs())
    await app.shutdown()
    return out


async def policy_value() -> dict[str, Any]:
    """misfire_policy="once": runs as MisfirePolicy.ONCE on both; what the field then holds."""
    cron = Cron("* * * * *", misfire_policy="once", start_date=PAST)
    app = Jobify(storage=False)
    runs = 0

    @app.task(cron=cron)
    async def job() -> None:
        nonlocal runs
        runs += 1

    async with app:
        await asyncio.sleep(0.5)
    return {
        "repr": repr(cron.misfire_policy),
        "runs": runs,
        "equals": cron.misfire_policy == "once",
    }


async def main() -> None:
    observed = await asyncio.gather(*(observe(a, k) for a, k in CASES.values()))
    policy = await policy_value()
    message = catch(lambda: Cron("* * * * *", max_failures=0), message=True)
    report(
        {
            **dict(zip(CASES, observed, strict=True)),
            "misfire_policy_str_repr": policy["repr"],
            "misfire_policy_str_runs": [policy["runs"], policy["equals"]],
            "max_failures_0_message": message,
        }
    )


asyncio.run(main())
