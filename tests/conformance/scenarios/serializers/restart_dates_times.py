"""Default serializer across a restart: datetime (aware, offset, naive), date, time, timedelta."""

import asyncio
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from harness import acatch, phase, report, run_phase

from jobify import Jobify

app = Jobify()
restored: dict[str, Any] = {}


@app.task
async def take(name: str, value: Any) -> None:
    restored[name] = value


def values() -> dict[str, Any]:
    return {
        "datetime_utc": datetime(2030, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        "datetime_offset": datetime(
            2030, 1, 1, 12, tzinfo=timezone(timedelta(hours=-3, minutes=-30))
        ),
        "datetime_naive": datetime(2030, 1, 1, 12),  # noqa: DTZ001
        "date": date(2030, 2, 28),
        "time": time(23, 59, 59, 999999),
        "time_tz": time(1, 2, tzinfo=timezone(timedelta(hours=5))),
        "timedelta": timedelta(days=-3, seconds=5, microseconds=7),
    }


def seen(value: Any) -> Any:
    """The restored value as a user sees it: its type and its repr."""
    return [type(value).__name__, repr(value)]


async def first() -> None:
    async with app:
        stored = {}
        for name, value in values().items():
            got = await acatch(take.schedule(name, value).delay(0.2, job_id=name))
            stored[name] = "ok" if "ok" in got else got
        report(stored)


async def second() -> None:
    async with app:
        await app.wait_all(timeout=2)
    expected = values()
    report(
        {
            name: {"type_and_repr": seen(value), "equal": value == expected[name]}
            for name, value in sorted(restored.items())
        }
    )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"stored": run_phase("first"), "restored": run_phase("second")})
