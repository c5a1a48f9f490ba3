"""Unusual job_id values: empty string, int, long, unicode; the id a job gets for each."""

import asyncio

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
            ("empty", ""),
            ("int", 42),
            ("long", "x" * 300),
            ("unicode", "задача-✓"),
            ("none", None),
        ):
            got = await acatch(noop.schedule().delay(5, job_id=value))
            if "raised" in got:
                out[name] = got
            else:
                job = app.get_active_jobs()[-1]
                out[name] = {
                    "id_type": type(job.id).__name__,
                    "id_len": len(str(job.id)),
                    "given": job.id == value,
                }
            for job in app.get_active_jobs():
                await job.cancel()
    report(out)


asyncio.run(main())
