"""Where a task runs for each run_mode: MAIN on the event loop's thread, THREAD in a worker thread, PROCESS elsewhere."""

import asyncio
import os
import threading

from harness import report

from jobify import Jobify, RunMode

app = Jobify(storage=False)


def where() -> dict:
    return {
        "main_thread": threading.current_thread() is threading.main_thread(),
        "same_process": os.getpid() == PARENT,
    }


PARENT = int(os.environ.setdefault("SCENARIO_PARENT_PID", str(os.getpid())))


@app.task(run_mode=RunMode.MAIN)
def sync_main() -> dict:
    return where()


@app.task(run_mode=RunMode.THREAD)
def sync_thread() -> dict:
    return where()


@app.task(run_mode=RunMode.PROCESS)
def sync_process() -> dict:
    return where()


@app.task
def sync_default() -> dict:
    return where()


@app.task
async def async_default() -> dict:
    return where()


async def main() -> None:
    async with app:
        routes = {
            "sync_main": sync_main,
            "sync_thread": sync_thread,
            "sync_process": sync_process,
            "sync_default": sync_default,
            "async_default": async_default,
        }
        jobs = {k: await r.push() for k, r in routes.items()}
        await asyncio.wait_for(asyncio.gather(*(j.wait() for j in jobs.values())), 20)
    report(
        {k: j.result() if j.status.value == "success" else j.status.value for k, j in jobs.items()}
    )


if __name__ == "__main__":
    asyncio.run(main())
