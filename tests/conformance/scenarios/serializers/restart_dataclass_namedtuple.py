"""Default serializer across a restart: dataclasses and NamedTuples, registered from task hints."""

import asyncio
import dataclasses
from typing import Any, NamedTuple

from harness import acatch, phase, report, run_phase

from jobify import Jobify


@dataclasses.dataclass
class Point:
    x: int
    y: float
    tags: tuple[str, ...] = ()


class Pair(NamedTuple):
    left: Point
    right: int


@dataclasses.dataclass(frozen=True)
class Box:
    inner: Point


app = Jobify()
restored: dict[str, Any] = {}


@app.task
async def take_point(value: Point) -> None:
    restored["point"] = value


@app.task
async def take_pair(value: Pair) -> None:
    restored["pair"] = value


@app.task
async def take_box(value: Box) -> None:
    restored["box"] = value


def values() -> dict[str, Any]:
    return {
        "point": Point(1, 2.5, ("a",)),
        "pair": Pair(Point(0, 0.0), 3),
        "box": Box(Point(4, 4.0)),
        # a list of dataclasses: differences/serializer_restart_values
    }


TASKS: dict[str, Any] = {"point": take_point, "pair": take_pair, "box": take_box}


async def first() -> None:
    async with app:
        stored = {}
        for name, value in values().items():
            got = await acatch(TASKS[name].schedule(value).delay(0.2, job_id=name))
            stored[name] = "ok" if "ok" in got else got
        report(stored)


async def second() -> None:
    async with app:
        await app.wait_all(timeout=2)
    expected = values()
    report(
        {
            name: {"type_and_repr": [type(v).__name__, repr(v)], "equal": v == expected[name]}
            for name, v in sorted(restored.items())
        }
    )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"stored": run_phase("first"), "restored": run_phase("second")})
