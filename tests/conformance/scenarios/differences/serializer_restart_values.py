"""Default serializer across a restart: enums, a list of dataclasses and int dict keys come back (ours); 0.14 loses the enum and list jobs and turns int keys into str."""

import asyncio
import dataclasses
import enum
from typing import Any

from harness import acatch, phase, report, run_phase

from jobify import Jobify


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1


@dataclasses.dataclass
class Listed:
    n: int


app = Jobify()
restored: dict[str, Any] = {}


@app.task
async def take_color(value: Color) -> None:
    restored["enum"] = value


@app.task
async def take_level(value: Level) -> None:
    restored["int_enum"] = value


@app.task
async def take_list(value: list[Listed]) -> None:
    restored["list_of_dataclasses"] = value


@app.task
async def take_dict(value: dict[int, str]) -> None:
    restored["int_keys"] = value


CASES: dict[str, tuple[Any, Any]] = {
    "enum": (take_color, Color.BLUE),
    "int_enum": (take_level, Level.LOW),
    "list_of_dataclasses": (take_list, [Listed(1), Listed(2)]),
    "int_keys": (take_dict, {1: "one"}),
}


async def first() -> None:
    async with app:
        stored = {}
        for name, (task, value) in CASES.items():
            got = await acatch(task.schedule(value).delay(0.2, job_id=name))
            stored[name] = "ok" if "ok" in got else got
        report(stored)


async def second() -> None:
    async with app:
        await app.wait_all(timeout=2)
    report(
        {
            name: [type(restored[name]).__name__, repr(restored[name])]
            if name in restored
            else "not run"
            for name in CASES
        }
    )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"stored": run_phase("first"), **run_phase("second")})
