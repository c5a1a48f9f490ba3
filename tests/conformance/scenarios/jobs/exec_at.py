"""`job.exec_at`: an aware datetime in the app's zone; now for push, now + delay, the given time for at."""

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from harness import report, within

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        t0 = datetime.now(UTC)
        pushed = await noop.push()
        delayed = await noop.schedule().delay(10)
        target = datetime(2031, 5, 6, 7, 8, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
        at = await noop.schedule().at(target)
        await delayed.cancel()
        await at.cancel()
    report(
        {
            "aware": [j.exec_at.tzinfo is not None for j in (pushed, delayed, at)],
            "push_is_now": within(abs((pushed.exec_at - t0).total_seconds()), 1),
            "delay_is_now_plus": within(abs((delayed.exec_at - t0).total_seconds() - 10), 1),
            "at_equal": at.exec_at == target,
            "push_offset": str(pushed.exec_at.utcoffset()),
            "at_offset": str(at.exec_at.utcoffset()),
            "at_in_utc": at.exec_at.astimezone(UTC).isoformat(),
            "exec_at_type": type(pushed.exec_at).__name__,
            "delay_minus_push": within(
                abs((delayed.exec_at - pushed.exec_at).total_seconds() - 10), 1
            ),
        }
    )


asyncio.run(main())
