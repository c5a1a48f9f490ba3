"""`.at()` with something that is not a datetime: TypeError and no job (0.14: AttributeError, a job left active)."""

import asyncio
from datetime import date

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        out = {}
        for name, value in (
            ("date", date(2035, 1, 1)),
            ("string", "2035-01-01T00:00:00+00:00"),
            ("timestamp", 2051222400),
            ("none", None),
        ):
            got = await acatch(noop.schedule().at(value))
            out[name] = got if "raised" in got else "scheduled"
        out["active"] = len(app.get_active_jobs())
        for job in app.get_active_jobs():
            await job.cancel()
    report(out)


asyncio.run(main())
