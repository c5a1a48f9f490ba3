"""Default serializer across a restart: tuple, set, frozenset, deque, nested."""

import asyncio
from collections import deque
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
        "tuple": (1, "a", (2, 3)),
        "empty_tuple": (),
        "set": {1, 2, 3},
        "frozenset": frozenset({"a"}),
        "deque": deque([1, 2, 3]),
        "list_of_tuples": [(1, 2), (3, 4)],
        "dict_of_sets": {"a": {1}, "b": frozenset({2})},
        # a dict with int keys: differences/serializer_restart_values
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
