"""`Jobify(tz=...)`: the zone of builder.now() and of exec_at; cron runs in that zone; default UTC."""

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from harness import report

from jobify import Jobify


async def observe(tz: ZoneInfo | None) -> dict:
    app = Jobify(storage=False) if tz is None else Jobify(storage=False, tz=tz)

    @app.task
    async def noop() -> None:
        pass

    async with app:
        now = noop.schedule().now()
        pushed = await noop.push()
        at = await noop.schedule().at(datetime(2035, 6, 1, 12, 0, tzinfo=UTC))
        cron = await noop.schedule().cron("0 9 * * *", job_id="nine")
        out = {
            "now_zone": str(now.tzinfo),
            "push_zone": str(pushed.exec_at.tzinfo),
            "at_zone": str(at.exec_at.tzinfo),
            "cron_local_hour": cron.exec_at.astimezone(tz or UTC).hour,
            "cron_utc_hour": cron.exec_at.astimezone(UTC).hour,
            "config_tz": str(app.configs.tz),
        }
        await at.cancel()
        await cron.cancel()
    return out


async def main() -> None:
    report({"default": await observe(None), "tokyo": await observe(ZoneInfo("Asia/Tokyo"))})


asyncio.run(main())
