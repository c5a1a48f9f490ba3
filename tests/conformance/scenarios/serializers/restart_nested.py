"""Default serializer across a restart: containers nesting several extended types."""

import asyncio
from collections import deque
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from harness import acatch, phase, report, run_phase

from jobify import Jobify

app = Jobify()
restored: dict[str, Any] = {}


@app.task
async def take(name: str, value: Any) -> None:
    restored[name] = value


def values() -> dict[str, Any]:
    return {
        "nested": {
            "when": [datetime(2030, 1, 1, tzinfo=UTC), (date(2030, 1, 2), {Decimal("2.50")})],
            "ids": frozenset({UUID(int=1), UUID(int=2)}),
            "queue": deque([(1, b"x"), {"k": (None,)}]),
        },
        "tuple_of_lists": ([1, [2, (3,)]], []),
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
