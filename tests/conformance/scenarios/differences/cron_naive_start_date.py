"""`Cron(start_date=<naive datetime>)`: refused when built (ours) or later, at startup (0.14)."""

import asyncio
from datetime import datetime
from typing import Any

from harness import acatch, exc, report

from jobify import Cron, Jobify


async def main() -> None:
    out: dict[str, Any] = {}
    naive = datetime(2030, 1, 1, 12, 0)  # noqa: DTZ001 - the point
    try:
        cron = Cron("* * * * *", start_date=naive)
        out["build"] = "built"
    except Exception as error:  # noqa: BLE001
        out["build"] = exc(error)
        cron = None
    if cron is not None:
        app = Jobify(storage=False)

        @app.task(cron=cron)
        async def tick() -> None:
            pass

        started = await acatch(app.startup())
        out["startup"] = started if "raised" in started else "started"
        await app.shutdown()
    report(out)


asyncio.run(main())
