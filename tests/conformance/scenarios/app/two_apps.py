"""Two Jobify apps in one process keep their own tasks, jobs and ids."""

import asyncio

from harness import report

from jobify import Jobify

first = Jobify(storage=False)
second = Jobify(storage=False)


@first.task
async def one() -> str:
    return "one"


@second.task
async def two() -> str:
    return "two"


async def main() -> None:
    async with first, second:
        a = await one.schedule().delay(5, job_id="same")
        b = await two.schedule().delay(5, job_id="same")
        out = {
            "both_scheduled": [a.status.value, b.status.value],
            "find_in_first": first.find_job("same") is a,
            "find_in_second": second.find_job("same") is b,
            "active": [len(first.get_active_jobs()), len(second.get_active_jobs())],
        }
        await a.cancel()
        out["second_untouched"] = b.status.value
        await b.cancel()
    report(out)


asyncio.run(main())
