"""startup() on a running app, and a restart of the same app object after shutdown()."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> str:
    return "ran"


async def main() -> None:
    await app.startup()
    out = {}
    out["startup_again"] = await acatch(app.startup())
    await app.shutdown()
    out["restart"] = await acatch(app.startup())
    job = await noop.push()
    await job.wait()
    out["job_after_restart"] = job.status.value
    await app.shutdown()
    report(out)


asyncio.run(main())
