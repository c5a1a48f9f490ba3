"""Cancelling a job that already ended, and cancelling twice: the status does not change."""

import asyncio

from harness import acatch, catch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def quick() -> int:
    return 5


@app.task
async def later() -> None:
    pass


async def main() -> None:
    async with app:
        done = await quick.push()
        await done.wait()
        after_success = await acatch(done.cancel())
        pending = await later.schedule().delay(0.5)
        first = await acatch(pending.cancel())
        second = await acatch(pending.cancel())
    report(
        {
            "cancel_done": after_success,
            "done_status": done.status.value,
            "done_result": catch(done.result),
            "first_cancel": first,
            "second_cancel": second,
            "cancelled_status": pending.status.value,
        }
    )


asyncio.run(main())
