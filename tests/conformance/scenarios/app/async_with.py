"""`async with app` starts and stops it, gives the app itself, and stops it when the body raises."""

import asyncio

from harness import exc, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def later() -> None:
    pass


async def main() -> None:
    out = {"started_before": app.configs.app_started}
    async with app as entered:
        out["as_is_app"] = entered is app
        out["started_inside"] = app.configs.app_started
        job = await later.schedule().delay(5)
    out["started_after"] = app.configs.app_started
    out["job_after_exit_is_done"] = job.is_done()
    try:
        async with app:
            pending = await later.schedule().delay(5)
            raise LookupError("body")
    except LookupError as error:
        out["body_error_propagates"] = exc(error)
    out["active_after_error"] = len(app.get_active_jobs())
    del pending
    out["started_after_error"] = app.configs.app_started
    report(out)


asyncio.run(main())
