"""Inner middleware order: app's (constructor, then add_middleware) wrap the router's, then the task."""

import asyncio

from harness import report

from jobify import Jobify, JobRouter
from jobify.middleware import BaseMiddleware

events: list[str] = []


class Tag(BaseMiddleware):
    def __init__(self, tag: str) -> None:
        self.tag = tag

    async def __call__(self, call_next, context):
        events.append(f"{self.tag}>")
        result = await call_next(context)
        events.append(f"<{self.tag}")
        return result


app = Jobify(storage=False, middleware=[Tag("app1"), Tag("app2")])
app.add_middleware(Tag("app3"))
router = JobRouter(prefix="r", middleware=[Tag("r1")])
router.add_middleware(Tag("r2"))
sub = JobRouter(middleware=[Tag("sub")])


@sub.task
async def deep() -> str:
    events.append("task")
    return "deep"


@app.task
async def top() -> str:
    events.append("task")
    return "top"


router.include_router(sub)
app.include_router(router)


async def main() -> None:
    out = {}
    async with app:
        job = await deep.push()
        await job.wait()
        out["deep"] = list(events)
        events.clear()
        job = await top.push()
        await job.wait()
        out["top"] = list(events)
        out["result"] = job.result()
    report(out)


asyncio.run(main())
