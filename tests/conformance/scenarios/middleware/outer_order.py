"""Outer middleware order (app then router) and an outer middleware raising: push raises it."""

import asyncio

from harness import acatch, report

from jobify import Jobify, JobRouter
from jobify.middleware import BaseOuterMiddleware

events: list[str] = []


class Tag(BaseOuterMiddleware):
    def __init__(self, tag: str) -> None:
        self.tag = tag

    async def __call__(self, call_next, context):
        events.append(f"{self.tag}>")
        if context.arguments.get("x") == 8 and self.tag == "router":
            raise KeyError("outer boom")
        handle = await call_next(context)
        events.append(f"<{self.tag}")
        return handle


app = Jobify(storage=False, outer_middleware=[Tag("app1")])
app.add_outer_middleware(Tag("app2"))
router = JobRouter(outer_middleware=[Tag("router")])
ran: list[int] = []


@router.task
async def task(x: int) -> int:
    ran.append(x)
    return x


app.include_router(router)


async def main() -> None:
    async with app:
        job = await task.push(1)
        await job.wait()
        out = {"order": list(events), "result": job.result()}
        events.clear()
        out["raising_push"] = await acatch(task.push(8))
        out["raising_order"] = list(events)
        out["active_after_raise"] = len(app.get_active_jobs())
        await app.wait_all(1)
        out["ran"] = ran
    report(out)


asyncio.run(main())
