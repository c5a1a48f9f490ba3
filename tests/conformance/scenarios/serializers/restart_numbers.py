"""Default serializer across a restart: int, big int, float, Decimal, Fraction, complex, bool."""

import asyncio
from decimal import Decimal
from fractions import Fraction
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
        "int": 7,
        "big_int": 2**100,
        "float": 0.1,
        "inf": float("inf"),
        "decimal": Decimal("1.10"),
        "decimal_exp": Decimal("-0E+3"),
        "fraction": Fraction(3, 7),
        "complex": complex(1.5, -2),
        "bool": True,
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
