"""An `INJECT` parameter whose annotation cannot be injected: when does it fail?"""

import asyncio
from typing import Any

from harness import exc, report

from jobify import INJECT, Jobify

app = Jobify(storage=False)


async def task(x: int, unknown: str = INJECT) -> str:
    return f"{x} {unknown}"


async def main() -> None:
    out: dict[str, Any] = {}
    try:
        route = app.task(task)
        out["declare"] = "declared"
    except Exception as error:  # noqa: BLE001
        out["declare"] = exc(error)
        route = None
    if route is not None:
        async with app:
            job = await route.push(1)
            await job.wait()
            out["status"] = str(job.status)
            out["exception"] = exc(job.exception)
    report(out)


asyncio.run(main())
