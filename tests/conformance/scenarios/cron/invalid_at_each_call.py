"""An invalid cron expression: which call raises what, for create_crontab, Cron, task(cron=), .cron()."""

import asyncio
from typing import Any

from harness import acatch, catch, exc, report

from jobify import Cron, Jobify
from jobify.crontab import create_crontab

BAD = ["bad", "* * *", "61 * * * *", "* * * * * * * *", ""]


async def declared(expression: Any) -> dict[str, Any]:
    app = Jobify(storage=False)
    out: dict[str, Any] = {}
    try:

        @app.task(cron=expression)
        async def tick() -> None:
            pass

        out["decorate"] = "ok"
    except Exception as error:  # noqa: BLE001 - the observation
        out["decorate"] = exc(error)
        return out
    out["startup"] = await acatch(app.startup())
    await app.shutdown()
    return out


async def scheduled(expression: Any) -> dict[str, Any]:
    app = Jobify(storage=False)

    @app.task
    async def tick() -> None:
        pass

    async with app:
        return await acatch(tick.schedule().cron(expression, job_id="c"))


async def main() -> None:
    out: dict[str, Any] = {}
    for expression in BAD:
        built = catch(lambda e=expression: type(Cron(e)).__name__)
        out[expression] = {
            "create_crontab": catch(create_crontab, expression),
            "Cron": built,
            "task_str": await declared(expression),
            "task_Cron": await declared(Cron(expression)) if "ok" in built else None,
            "schedule_cron": await scheduled(expression),
        }
    report(out)


asyncio.run(main())
