"""`Jobify(threadpool_executor=..., processpool_executor=...)`: sync tasks run on the pools given."""

import asyncio
import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from harness import report

from jobify import Jobify, RunMode


def mark_worker() -> None:
    os.environ["SCENARIO_WORKER_MARK"] = "initialised"


def thread_name() -> str:
    return threading.current_thread().name.split("_")[0]


def worker_mark() -> str:
    return os.environ.get("SCENARIO_WORKER_MARK", "unset")


async def main() -> None:
    threads = ThreadPoolExecutor(2, thread_name_prefix="mine")
    processes = ProcessPoolExecutor(1, initializer=mark_worker)
    app = Jobify(storage=False, threadpool_executor=threads, processpool_executor=processes)
    in_thread = app.task(thread_name)
    in_process = app.task(run_mode=RunMode.PROCESS)(worker_mark)
    async with app:
        a = await in_thread.push()
        b = await in_process.push()
        await asyncio.wait_for(asyncio.gather(a.wait(), b.wait()), 20)
    report(
        {
            "thread": a.result() if a.status.value == "success" else a.status.value,
            "process": b.result() if b.status.value == "success" else b.status.value,
            "parent_mark": worker_mark(),
        }
    )
    threads.shutdown()
    processes.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
