"""Default serializer across a restart: ZoneInfo and compiled re patterns with their flags."""

import asyncio
import re
from typing import Any
from zoneinfo import ZoneInfo

from harness import acatch, phase, report, run_phase

from jobify import Jobify

app = Jobify()
restored: dict[str, Any] = {}


@app.task
async def take(name: str, value: Any) -> None:
    restored[name] = value


def values() -> dict[str, Any]:
    return {
        "zoneinfo": ZoneInfo("Europe/Berlin"),
        "pattern": re.compile(r"a+b"),
        "pattern_flags": re.compile(r"^x.y$", re.IGNORECASE | re.MULTILINE | re.DOTALL),
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
