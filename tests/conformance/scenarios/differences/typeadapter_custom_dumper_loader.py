"""A user Dumper/Loader across a restart: called per argument with its type, durable jobs stored and restored (ours); 0.14 passes it its internal Message, and storing fails."""

import asyncio
from datetime import datetime
from typing import Any

from harness import acatch, phase, report, run_phase

from jobify import Jobify

calls: list[list[str]] = []


class Recorder:
    """Records each call; turns datetimes into ISO strings, as a JSON-only serializer needs."""

    def dump(self, data: Any, tp: Any) -> Any:
        calls.append(["dump", type(data).__name__, getattr(tp, "__name__", repr(tp))])
        return data.isoformat() if isinstance(data, datetime) else data

    def load(self, data: Any, tp: Any) -> Any:
        calls.append(["load", type(data).__name__, getattr(tp, "__name__", repr(tp))])
        return datetime.fromisoformat(data) if tp is datetime else data


recorder = Recorder()
app = Jobify(dumper=recorder, loader=recorder)
received: list[Any] = []


@app.task
async def work(n: int, label: str = "x") -> int:
    received.append([n, label])
    return n


async def first() -> None:
    async with app:
        stored = await acatch(work.schedule(3, label="y").delay(0.2, job_id="w"))
        pushed = await work.push(4)
        await pushed.wait()
    report(
        {"stored": "ok" if "ok" in stored else stored, "calls": sorted(calls), "received": received}
    )


async def second() -> None:
    async with app:
        await app.wait_all(timeout=2)
    report({"calls": sorted(calls), "received": received})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
