"""A router's middleware and exception handlers apply to its tasks (and sub-routers'), not to siblings or the app's."""

import asyncio

from harness import report

from jobify import Jobify, JobRouter
from jobify.middleware import BaseMiddleware

seen: list[str] = []


class Mark(BaseMiddleware):
    def __init__(self, tag: str) -> None:
        self.tag = tag

    async def __call__(self, call_next, context):
        seen.append(f"{self.tag}:{context.runnable.name.rpartition(':')[2]}")
        return await call_next(context)


def handled_by(tag: str):
    return lambda error, context: f"{tag} handled"


app = Jobify(storage=False)
left = JobRouter(
    prefix="left", middleware=[Mark("left")], exception_handlers={ValueError: handled_by("left")}
)
right = JobRouter(prefix="right")
child = JobRouter(prefix="child")


@left.task
async def on_left() -> None:
    raise ValueError


@child.task
async def on_child() -> None:
    raise ValueError


@right.task
async def on_right() -> None:
    raise ValueError


@app.task
async def on_app() -> None:
    raise ValueError


left.include_router(child)
app.include_routers(left, right)


async def main() -> None:
    out = {}
    async with app:
        for key, route in (
            ("left", on_left),
            ("child", on_child),
            ("right", on_right),
            ("app", on_app),
        ):
            job = await route.push()
            await job.wait()
            out[key] = [
                str(job.status),
                job.result() if job.exception is None else type(job.exception).__name__,
            ]
    out["middleware_saw"] = sorted(seen)
    report(out)


asyncio.run(main())
