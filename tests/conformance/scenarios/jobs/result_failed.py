"""A failed job: `result()` raises JobFailedError, `exception` holds what the task raised."""

import asyncio

from harness import catch, exc, report

from jobify import Jobify
from jobify.exceptions import JobFailedError

app = Jobify(storage=False)


class CustomError(Exception):
    pass


@app.task
async def fails() -> None:
    raise CustomError("broken")


@app.task
async def fine() -> int:
    return 1


async def main() -> None:
    async with app:
        bad = await fails.push()
        good = await fine.push()
        await app.wait_all(timeout=2)
    try:
        bad.result()
        cause = context = None
    except JobFailedError as error:
        cause, context = error.__cause__, error.__context__
    report(
        {
            "status": bad.status.value,
            "result": catch(bad.result),
            "exception": exc(bad.exception, message=True),
            "exception_is_instance": isinstance(bad.exception, CustomError),
            "failed_error_cause": exc(cause),
            "failed_error_context": exc(context),
            "success_exception": exc(good.exception),
            "success_result": catch(good.result),
        }
    )


asyncio.run(main())
