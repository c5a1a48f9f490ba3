"""timeout= an int, a float, None (no timeout): accepted, and a short task then succeeds."""

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
    # 0, negative and str timeouts: differences/timeout_refused_values
    for name, value in (("int", 1), ("float", 0.5), ("none", None)):
        try:
            routes[name] = declare(name, value)
            out[f"declare_{name}"] = "ok"
        except Exception as error:  # noqa: BLE001 - what it raised is the observation
            out[f"declare_{name}"] = exc(error)
    async with app:
        for name, route in routes.items():
            job = await route.push()
            await job.wait()
            out[f"run_{name}"] = [str(job.status), type(job.exception).__name__]
    report(out)


asyncio.run(main())
