"""A job_id that is in use: DuplicateJobError (a RuntimeError) from at, delay and cron; force does not help."""

import asyncio
from datetime import UTC, datetime, timedelta

from harness import acatch, report

from jobify import Jobify
from jobify.exceptions import BaseJobifyError, DuplicateJobError

app = Jobify(storage=False)
runs: list[str] = []


@app.task
async def record(x: str) -> None:
    runs.append(x)


async def main() -> None:
    async with app:
        when = datetime.now(UTC) + timedelta(seconds=0.1)
        first = await record.schedule("first").at(when, job_id="j")
        out = {
            "at_same_time": await acatch(record.schedule("x").at(when, job_id="j")),
            "at_other_time": await acatch(
                record.schedule("x").at(when + timedelta(seconds=1), job_id="j")
            ),
            "at_force": await acatch(record.schedule("x").at(when, job_id="j", force=True)),
            "delay": await acatch(record.schedule("x").delay(0.1, job_id="j")),
            "cron": await acatch(record.schedule("x").cron("* * * * *", job_id="j")),
        }
        cron = await record.schedule("c").cron("0 0 1 1 *", job_id="c")
        out["cron_twice"] = await acatch(record.schedule("c").cron("0 0 1 1 *", job_id="c"))
        out["delay_over_cron"] = await acatch(record.schedule("c").delay(5, job_id="c"))
        await cron.cancel()
        out["found_is_first"] = app.find_job("j") is first
        await app.wait_all(timeout=2)
        out["runs"] = runs
        out["first_status"] = first.status.value
        out["is_runtime_error"] = issubclass(DuplicateJobError, RuntimeError)
        out["is_jobify_error"] = issubclass(DuplicateJobError, BaseJobifyError)
    report(out)


asyncio.run(main())
