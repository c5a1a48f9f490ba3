"""RunMode.PROCESS on a function a worker cannot import (nested, lambda): when and how it fails."""

import asyncio

from harness import exc, report

from jobify import Jobify, RunMode

app = Jobify(storage=False)


def make():
    def nested() -> int:
        return 1

    return nested


routes = {}
declared = {}
for name, func in (("nested", make()), ("lambda", lambda: 2)):
    try:
        routes[name] = app.task(run_mode=RunMode.PROCESS, name=name)(func)
        declared[name] = "declared"
    except Exception as error:  # noqa: BLE001
        declared[name] = exc(error)


async def main() -> None:
    out = {"declared": declared}
    async with app:
        for name, route in routes.items():
            job = await route.push()
            await asyncio.wait_for(job.wait(), 10)
            out[name] = {"status": job.status.value, "exception": exc(job.exception)}
    report(out)


if __name__ == "__main__":
    asyncio.run(main())
