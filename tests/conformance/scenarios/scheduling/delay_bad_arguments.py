"""`.delay()` with a timedelta, a string, None, NaN or infinity."""

import asyncio
from datetime import timedelta

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    out = {}
    async with app:
        for name, value in (
            ("timedelta", timedelta(seconds=1)),
            ("string", "1"),
            ("none", None),
            ("nan", float("nan")),
            ("inf", float("inf")),
        ):
            got = await acatch(noop.schedule().delay(value))
            out[name] = got if "raised" in got else "scheduled"
        for job in app.get_active_jobs():
            await job.cancel()
    report(out)


asyncio.run(main())
