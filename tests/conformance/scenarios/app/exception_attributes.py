"""Attributes of jobify's exceptions as raised by the app: the job id, the failure's reason."""

import asyncio

from harness import report

from jobify import Jobify
from jobify.exceptions import DuplicateJobError, JobFailedError, RouteAlreadyRegisteredError

app = Jobify(storage=False)


@app.task
async def boom() -> None:
    raise ValueError("why")


def public(error: BaseException, *names: str) -> dict:
    return {n: getattr(error, n, "<absent>") for n in names}


async def main() -> None:
    out = {}
    try:
        app.task(name=boom.name)(lambda: None)
    except RouteAlreadyRegisteredError as error:
        out["route_registered"] = type(error).__name__
    async with app:
        job = await boom.schedule().delay(0, job_id="b")
        await job.wait()
        try:
            job.result()
        except JobFailedError as error:
            out["job_failed"] = public(error, "job_id", "reason")
        await boom.schedule().delay(5, job_id="d")
        try:
            await boom.schedule().delay(5, job_id="d")
        except DuplicateJobError as error:
            out["duplicate"] = public(error, "job_id")
    report(out)


asyncio.run(main())
