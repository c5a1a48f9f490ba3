"""A sync (def) task: its job runs off the event loop thread and ends like an async one."""

import asyncio
import threading
import time

from harness import catch, exc, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
def blocking(x: int) -> dict:
    time.sleep(0.05)
    return {"x": x, "main_thread": threading.current_thread() is threading.main_thread()}


@app.task
def broken() -> None:
    raise KeyError("k")


async def main() -> None:
    async with app:
        ok = await blocking.push(3)
        bad = await broken.push()
        await app.wait_all(timeout=2)
    report(
        {
            "status": ok.status.value,
            "result": catch(ok.result),
            "failed": bad.status.value,
            "exception": exc(bad.exception),
        }
    )


asyncio.run(main())
