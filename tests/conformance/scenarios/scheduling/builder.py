"""`task.schedule(...)` returns a ScheduleBuilder: `now()`, its name; one builder can schedule several jobs."""

import asyncio
from datetime import UTC, datetime

from harness import report, within

from jobify import Jobify, ScheduleBuilder

app = Jobify(storage=False)


@app.task
async def echo(x: int) -> int:
    return x


async def main() -> None:
    async with app:
        builder = echo.schedule(7)
        now = builder.now()
        first = await builder.delay(0.05)
        second = await builder.delay(0.05)
        third = await builder.push()
        await app.wait_all(timeout=2)
    report(
        {
            "type": type(builder).__name__,
            "is_builder": isinstance(builder, ScheduleBuilder),
            "name": builder.name,
            "now_aware": now.tzinfo is not None,
            "now_offset": str(now.utcoffset()),
            "now_is_now": within(abs((now - datetime.now(UTC)).total_seconds()), 1),
            "distinct_jobs": len({first.id, second.id, third.id}) == 3,
            "results": [j.result() for j in (first, second, third)],
        }
    )


asyncio.run(main())
