"""Jobify(serializer=JSONSerializer()) across a restart: durable jobs stored and restored (ours); 0.14 cannot store any durable job with it (TypeError)."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from harness import acatch, phase, report, run_phase

from jobify import Jobify
from jobify.serializers import JSONSerializer

app = Jobify(serializer=JSONSerializer())
restored: dict[str, Any] = {}


@app.task
async def take(name: str, value: Any) -> None:
    restored[name] = value


def values() -> dict[str, Any]:
    return {
        "json": {"a": [1, 2.5, None, True, "ü"]},
        "tuple": (1, 2),
        "bytes": b"xy",
        "datetime": datetime(2030, 1, 1, 12, tzinfo=UTC),
    }


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
    report({name: [type(v).__name__, repr(v)] for name, v in sorted(restored.items())})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"stored": run_phase("first"), "restored": run_phase("second")})
