"""Including a router in a running app, then pushing one of its tasks."""

import asyncio
import contextlib

from harness import acatch, catch, report

from jobify import Jobify, JobRouter

app = Jobify(storage=False)
late = JobRouter(prefix="late")


@late.task(name="w")
async def w() -> int:
    return 4


async def main() -> None:
    await app.startup()
    out = {"include": catch(app.include_router, late)}
    out["push"] = await acatch(w.push())
    with contextlib.suppress(Exception):
        await app.shutdown()
    report(out)


asyncio.run(main())
