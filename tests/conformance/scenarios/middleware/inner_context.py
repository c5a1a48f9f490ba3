"""What an inner middleware sees in JobContext, and that a task's timeout does not count middleware time."""

import asyncio

from harness import report

from jobify import JobContext, Jobify, State
from jobify.middleware import BaseMiddleware

seen: dict[str, object] = {}


class Look(BaseMiddleware):
    async def __call__(self, call_next, context):
        seen["is_job_context"] = isinstance(context, JobContext)
        seen["job_status"] = str(context.job.status)
        seen["state"] = [type(context.state).__name__, context.state is app.state]
        seen["request_state"] = [type(context.request_state).__name__, dict(context.request_state)]
        seen["runnable"] = context.runnable.name
        seen["route_options"] = sorted(context.route_options)
        seen["app"] = context.app is app
        await asyncio.sleep(0.3)  # slower than the task's timeout
        return await call_next(context)


app = Jobify(storage=False, state=State({"k": 1}), middleware=[Look()])


@app.task(timeout=0.1, name="inner")
async def quick() -> str:
    return "quick"


async def main() -> None:
    async with app:
        job = await quick.push()
        await job.wait()
        seen["result"] = [
            str(job.status),
            job.result() if job.exception is None else type(job.exception).__name__,
        ]
    report(seen)


asyncio.run(main())
