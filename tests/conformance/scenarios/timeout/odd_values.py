"""timeout=0, negative, an int, None, a string: accepted or refused, and what a short task then does."""

import asyncio

from harness import exc, report

from jobify import Jobify

app = Jobify(storage=False)


def declare(name: str, timeout: object) -> object:
    async def task() -> str:
        await asyncio.sleep(0.05)
        return name

    return app.task(name=name, timeout=timeout)(task)


async def main() -> None:
    out: dict[str, object] = {}
    routes = {}
    for name, value in (("zero", 0), ("negative", -1), ("int", 1), ("none", None), ("string", "1")):
        try:
            routes[name] = declare(name, value)
            out[f"declare_{name}"] = "ok"
        except Exception as error:  # noqa: BLE001 - what it raised is the observation
            out[f"declare_{name}"] = exc(error)
    async with app:
        for name, route in routes.items():
            if name == "string":
                continue  # a string timeout is not run: it is not a number
            job = await route.push()
            await job.wait()
            out[f"run_{name}"] = [str(job.status), type(job.exception).__name__]
    report(out)


asyncio.run(main())
