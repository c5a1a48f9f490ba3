"""replace=True to the same time is not re-run through outer middleware unless force=True; another time is."""

import asyncio
from datetime import timedelta

from harness import report

from jobify import Jobify
from jobify.middleware import BaseOuterMiddleware

seen: list[list] = []
ran: list[int] = []


class Look(BaseOuterMiddleware):
    async def __call__(self, call_next, context):
        seen.append([context.arguments["x"], context.is_force, context.is_replace])
        return await call_next(context)


app = Jobify(storage=False, outer_middleware=[Look()])


@app.task
async def task(x: int) -> int:
    ran.append(x)
    return x


async def main() -> None:
    out = {}
    async with app:
        at = task.schedule(0).now() + timedelta(seconds=0.3)
        j1 = await task.schedule(1).at(at, job_id="a")
        j2 = await task.schedule(2).at(at, job_id="a", replace=True)
        out["same_time_replace"] = [list(s) for s in seen]
        j3 = await task.schedule(3).at(at, job_id="a", replace=True, force=True)
        out["forced"] = [list(s) for s in seen]
        j4 = await task.schedule(4).at(at + timedelta(seconds=0.05), job_id="a", replace=True)
        out["other_time"] = [list(s) for s in seen]
        out["same_object"] = [j1 is j2, j2 is j3, j3 is j4]
        await app.wait_all(2)
        out["ran"] = ran
        out["status"] = str(j4.status)
    report(out)


asyncio.run(main())
