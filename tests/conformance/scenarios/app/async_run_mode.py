"""An async task declared with run_mode THREAD or PROCESS: declared? where does it run?"""

import asyncio
import os
import threading
import warnings

from harness import exc, report

from jobify import Jobify, RunMode

app = Jobify(storage=False)
PARENT = os.getpid()


async def where() -> list:
    return [threading.current_thread() is threading.main_thread(), os.getpid() == PARENT]


routes = {}
declared = {}
for mode in (RunMode.THREAD, RunMode.PROCESS):

    async def task() -> list:
        return await where()

    task.__qualname__ = f"task_{mode.value}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            routes[mode.value] = app.task(run_mode=mode)(task)
        declared[mode.value] = "declared"
    except Exception as error:  # noqa: BLE001
        declared[mode.value] = exc(error)


async def main() -> None:
    out = {"declared": declared}
    async with app:
        for mode, route in routes.items():
            job = await route.push()
            await asyncio.wait_for(job.wait(), 10)
            out[mode] = job.result() if job.status.value == "success" else job.status.value
    report(out)


if __name__ == "__main__":
    asyncio.run(main())
