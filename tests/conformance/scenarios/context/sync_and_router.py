"""INJECT works in sync (thread) tasks and router tasks; an explicit value for an injected parameter."""

import asyncio
import threading

from harness import acatch, report

from jobify import INJECT, Job, JobContext, Jobify, JobRouter, State

app = Jobify(storage=False, state=State({"k": "v"}))
router = JobRouter(prefix="r")


@app.task
def in_thread(ctx: JobContext = INJECT, state: State = INJECT) -> list:
    return [
        threading.current_thread() is threading.main_thread(),
        type(ctx).__name__,
        state["k"],
        str(ctx.job.status),
    ]


@router.task
async def on_router(job: Job = INJECT, ctx: JobContext = INJECT) -> list:
    return [job is ctx.job, ctx.runnable.name]


@app.task
async def explicit(x: int, ctx: JobContext = INJECT) -> str:
    return type(ctx).__name__


app.include_router(router)


async def run(route: object, *args: object, **kwargs: object) -> object:
    job = await route.push(*args, **kwargs)  # type: ignore[attr-defined]
    await job.wait()
    return job.result()


async def main() -> None:
    async with app:
        out = {
            "thread": await acatch(run(in_thread)),
            "router": await acatch(run(on_router)),
            "explicit_none": await acatch(run(explicit, 1, ctx=None)),
        }
    report(out)


asyncio.run(main())
