"""Default serializer across a restart: Enum and IntEnum arguments annotated with their enum."""

import asyncio
import enum
from typing import Any

from harness import acatch, phase, report, run_phase

from jobify import Jobify


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1


app = Jobify()
restored: dict[str, Any] = {}


@app.task
async def take_color(value: Color) -> None:
    restored["enum"] = value


@app.task
async def take_level(value: Level) -> None:
    restored["int_enum"] = value


async def first() -> None:
    async with app:
        stored = {
            "enum": await acatch(take_color.schedule(Color.BLUE).delay(0.2, job_id="enum")),
            "int_enum": await acatch(take_level.schedule(Level.LOW).delay(0.2, job_id="int")),
        }
        report({k: "ok" if "ok" in v else v for k, v in stored.items()})


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
