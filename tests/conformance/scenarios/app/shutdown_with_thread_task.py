"""Shutdown while a sync task runs in a thread: shutdown returns without waiting for the thread."""

import asyncio
import threading
import time

from harness import report, within

from jobify import Jobify

app = Jobify(storage=False)
finished = threading.Event()


@app.task
def blocking() -> None:
    time.sleep(0.5)
    finished.set()


async def main() -> None:
    await app.startup()
    await blocking.push()
    await asyncio.sleep(0.1)
    t0 = time.monotonic()
    await app.shutdown()
    took = time.monotonic() - t0
    report(
        {"shutdown_quick": within(took, 0.3), "thread_finished_before_return": finished.is_set()}
    )
    finished.wait(2)


asyncio.run(main())
