"""`@app.task(...)` with a bad value for a known option: refused when declared (ours) or ignored (0.14)."""

import asyncio
from typing import Any

from harness import acatch, exc, report

from jobify import Jobify

CASES: dict[str, dict[str, Any]] = {
    "name_empty": {"name": ""},
    "name_int": {"name": 3},
    "durable_str": {"durable": "yes"},
    "run_mode_unknown": {"run_mode": "bogus"},
    "metadata_int": {"metadata": 3},
    "cron_int": {"cron": 5},
}


def job() -> str:
    return "ran"


async def observe(options: dict[str, Any]) -> dict[str, Any]:
    app = Jobify(storage=False)
    try:
        route = app.task(**options)(job)
    except Exception as error:  # noqa: BLE001
        return {"declare": exc(error)}
    out: dict[str, Any] = {"declare": "declared", "name": route.name}
    started = await acatch(app.startup())
    if "raised" in started:
        out["startup"] = started
    else:
        done = await route.push()
        await asyncio.wait_for(done.wait(), 2)
        out["status"] = done.status.value
    await app.shutdown()
    return out


async def main() -> None:
    report({case: await observe(options) for case, options in CASES.items()})


asyncio.run(main())
