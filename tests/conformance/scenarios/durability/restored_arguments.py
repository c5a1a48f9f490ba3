"""JSON-like arguments of a restored job reach the task with their values and types."""

import asyncio
from typing import Any

from harness import phase, report, run_phase

from jobify import Jobify

app = Jobify()
seen: dict[str, Any] = {}


@app.task
async def take(
    a: int, b: float, c: str, d: list[Any], e: dict[str, Any], f: None = None, *, g: bool = False
) -> None:
    for name, value in {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}.items():
        seen[name] = [type(value).__name__, value]


async def first() -> None:
    async with app:
        await take.schedule(1, 2.5, "ü€", [1, "x", None, [2]], {"k": {"n": [True]}}, g=True).delay(
            0.3, job_id="t"
        )
    report({"stored": True})


async def second() -> None:
    async with app:
        await app.wait_all(timeout=2)
        report({"seen": seen})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
