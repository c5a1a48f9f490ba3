"""Callables that are not functions as tasks: an object with __call__, a functools.partial, a method."""

import asyncio
import functools

from harness import exc, report

from jobify import Jobify

app = Jobify(storage=False)


class Callable:
    def __call__(self, x: int) -> int:
        return x


class Service:
    def method(self, x: int) -> int:
        return x * 3


def add(a: int, b: int) -> int:
    return a + b


out = {}
routes = {}
for name, func in (
    ("callable_object", Callable()),
    ("partial", functools.partial(add, 1)),
    ("bound_method", Service().method),
):
    try:
        routes[name] = app.task(func)
        out[name] = {"declare": "declared", "name": routes[name].name}
    except Exception as error:  # noqa: BLE001
        out[name] = {"declare": exc(error)}


async def main() -> None:
    async with app:
        for name, route in routes.items():
            job = await route.push(2)
            await asyncio.wait_for(job.wait(), 2)
            out[name]["result"] = (
                job.result() if job.status.value == "success" else job.status.value
            )
    report(out)


asyncio.run(main())
