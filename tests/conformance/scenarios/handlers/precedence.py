"""Exception handlers on task, router, outer router and app: which one handles a task's exception."""

import asyncio

from harness import report

from jobify import Jobify, JobRouter

handled: list[str] = []


def make(tag: str):
    def handler(error, context):
        handled.append(tag)
        return f"{tag}:{type(error).__name__}"

    return handler


app = Jobify(storage=False, exception_handlers={ValueError: make("app")})
outer = JobRouter(prefix="o", exception_handlers={ValueError: make("outer")})
inner = JobRouter(prefix="i", exception_handlers={ValueError: make("inner")})
bare = JobRouter(prefix="b")


@inner.task(exception_handlers={ValueError: make("task")})
async def on_task() -> None:
    raise ValueError


@inner.task
async def on_inner() -> None:
    raise ValueError


@outer.task
async def on_outer() -> None:
    raise ValueError


@bare.task
async def on_bare() -> None:
    raise ValueError


@app.task
async def on_app() -> None:
    raise ValueError


outer.include_router(inner)
app.include_routers(outer, bare)


async def main() -> None:
    out = {}
    async with app:
        routes = {
            "on_task": on_task,
            "on_inner": on_inner,
            "on_outer": on_outer,
            "on_bare": on_bare,
            "on_app": on_app,
        }
        for label, route in routes.items():
            job = await route.push()
            await job.wait()
            out[label] = [str(job.status), job.result()]
    out["handled"] = handled
    report(out)


asyncio.run(main())
