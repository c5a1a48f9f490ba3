"""timeout=0, negative or a str: refused when the task is declared (ours); 0.14 declares it and every run then fails."""

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
    for name, value in (("zero", 0), ("negative", -1), ("string", "1")):
        try:
            routes[name] = declare(name, value)
            out[name] = {"declare": "declared"}
        except Exception as error:  # noqa: BLE001 - what it raised is the observation
            out[name] = {"declare": exc(error)}
    async with app:
        for name, route in routes.items():
            job = await route.push()
            await asyncio.wait_for(job.wait(), 2)
            out[name] = {
                "declare": "declared",
                "run": [str(job.status), type(job.exception).__name__],
            }
    report(out)


asyncio.run(main())
