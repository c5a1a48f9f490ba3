"""Ctrl+C (SIGINT) while the main task awaits `app.wait_all()`: what wait_all and asyncio.run do."""

import asyncio
import os
import signal

from harness import exc, report

from jobify import Jobify

app = Jobify(storage=False)
out: dict = {}


@app.task
async def long() -> None:
    await asyncio.sleep(2)


async def main() -> None:
    async with app:
        job = await long.push()
        asyncio.get_running_loop().call_later(0.2, os.kill, os.getpid(), signal.SIGINT)
        try:
            await app.wait_all()
            out["wait_all"] = "returned"
        except BaseException as error:
            out["wait_all"] = exc(error)
            raise
        finally:
            out["job_done_in_wait_all"] = job.is_done()
    out["after_async_with"] = "reached"
    out["job_done"] = job.is_done()


try:
    asyncio.run(main())
    out["asyncio_run"] = "returned"
except BaseException as error:  # noqa: BLE001 - what escaped is the observation
    out["asyncio_run"] = exc(error)
report(out)
