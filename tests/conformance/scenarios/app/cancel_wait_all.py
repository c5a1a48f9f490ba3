"""Cancelling the task that awaits `app.wait_all()` (as Ctrl+C cancels the main task): what it sees."""

import asyncio

from harness import exc, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def long() -> str:
    await asyncio.sleep(0.5)
    return "done"


async def waiter(out: dict) -> None:
    try:
        await app.wait_all()
        out["wait_all"] = "returned"
    except BaseException as error:
        out["wait_all"] = exc(error)
        raise


async def main() -> None:
    out: dict = {}
    async with app:
        job = await long.push()
        task = asyncio.create_task(waiter(out))
        await asyncio.sleep(0.1)
        task.cancel()
        try:
            await task
            out["task"] = "finished"
        except asyncio.CancelledError:
            out["task"] = "cancelled"
        out["job_running_after"] = job.status.value
        await job.wait()
        out["job_final"] = job.status.value
    report(out)


asyncio.run(main())
