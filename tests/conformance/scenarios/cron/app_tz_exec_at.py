"""A cron job's exec_at is computed in the app's tz and equals create_crontab(...).next_run in it."""

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from harness import report

from jobify import Jobify
from jobify.crontab import create_crontab

out = {}


async def run(zone: str) -> None:
    tz = ZoneInfo(zone)
    app = Jobify(storage=False, tz=tz)

    @app.task(cron="0 9 * * *")
    async def morning() -> None:
        pass

    @app.task
    async def later() -> None:
        pass

    async with app:
        declared = app.get_active_jobs()[0]
        built = await later.schedule().cron("30 17 * * 1-5", job_id="evening")
        now = datetime.now(tz)
        out[zone] = {
            "declared_local": declared.exec_at.astimezone(tz).strftime("%H:%M"),
            "declared_tz": str(declared.exec_at.tzinfo),
            "declared_is_next_run": declared.exec_at
            == create_crontab("0 9 * * *").next_run(now=now),
            "built_local": built.exec_at.astimezone(tz).strftime("%a %H:%M"),
            "built_is_next_run": built.exec_at == create_crontab("30 17 * * 1-5").next_run(now=now),
            "app_now_tz": str(later.schedule().now().tzinfo),
        }


async def main() -> None:
    for zone in ["Asia/Tokyo", "America/New_York", "UTC", "Australia/Lord_Howe"]:
        await run(zone)
    report(out)


asyncio.run(main())
