"""What a lifespan may yield: None, a dict, a State, pairs, a non-mapping; and an exception at exit."""

import asyncio
from contextlib import asynccontextmanager

from harness import exc, report

from jobify import Jobify, State


def lifespan_yielding(value: object):
    @asynccontextmanager
    async def manage(arg):
        yield value

    return manage


async def keys_after(value: object) -> object:
    app = Jobify(storage=False, state=State({"pre": 0}), lifespan=lifespan_yielding(value))
    try:
        async with app:
            return sorted(app.state.keys())
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return exc(error)


async def exit_error() -> list:
    events: list[object] = []

    @asynccontextmanager
    async def manage(arg):
        events.append("enter")
        yield
        events.append("exit")
        raise KeyError("exit boom")

    app = Jobify(storage=False, lifespan=manage)
    try:
        async with app:
            events.append("body")
    except Exception as error:  # noqa: BLE001
        events.append(exc(error))
    return events


async def generator_function() -> object:
    async def manage(arg):
        yield {"g": 1}

    app = Jobify(storage=False, lifespan=manage)
    try:
        async with app:
            return sorted(app.state.keys())
    except Exception as error:  # noqa: BLE001
        return exc(error)


async def main() -> None:
    report(
        {
            "none": await keys_after(None),
            "dict": await keys_after({"k": 1}),
            "state": await keys_after(State({"s": 1})),
            "pairs": await keys_after([("a", 1)]),
            "int": await keys_after(5),
            "exit_error": await exit_error(),
            "bare_async_generator": await generator_function(),
        }
    )


asyncio.run(main())
