"""What an outer middleware sees in OuterContext for push, delay, at(force=True), cron, replace=True."""

import asyncio
from datetime import timedelta

from harness import report

from jobify import Cron, Jobify
from jobify.middleware import BaseOuterMiddleware

seen: list[dict] = []
TRIGGER_ATTRS = ("job_id", "at", "cron", "offset", "run_count")


class Look(BaseOuterMiddleware):
    async def __call__(self, call_next, context):
        c = context
        seen.append(
            {
                "trigger": type(c.trigger).__name__,
                "trigger_attrs": [a for a in TRIGGER_ATTRS if hasattr(c.trigger, a)],
                "arguments": dict(c.arguments),
                "is_force": c.is_force,
                "is_persist": c.is_persist,
                "is_replace": c.is_replace,
                "job_status": str(c.job.status),
                "job_id_is_ours": c.job.id in ("d", "a", "c") or len(c.job.id) == 32,
                "request_state": type(c.request_state).__name__,
                "route_options": sorted(c.route_options),
                "runnable_name": c.runnable.name,
                "state_is_app_state": c.state is app.state,
                "builder": type(c.schedule_builder).__name__,
            }
        )
        handle = await call_next(context)
        seen[-1]["handle"] = type(handle).__name__
        return handle


app = Jobify(outer_middleware=[Look()])


@app.task
async def task(x: int, y: int = 2) -> int:
    return x + y


@app.task(durable=False, metadata={"k": 1})
async def volatile(x: int) -> int:
    return x


async def main() -> None:
    async with app:
        await (await task.push(1)).wait()
        await task.schedule(3, y=4).delay(5, job_id="d")
        await task.schedule(3, y=4).delay(6, job_id="d", replace=True)
        builder = task.schedule(5)
        at = builder.now() + timedelta(seconds=5)
        await builder.at(at, job_id="a", force=True)
        await task.schedule(6).cron("* * * * *", job_id="c")
        await task.schedule(6).cron(Cron("*/2 * * * *"), job_id="c", replace=True)
        await (await volatile.push(7)).wait()
    report({"seen": seen})


asyncio.run(main())
