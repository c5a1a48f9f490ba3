"""OuterContext: which documented attributes it has, their kinds, and its request_state against the job's."""

import asyncio

from harness import report

from jobify import INJECT, Jobify, OuterContext, RequestState
from jobify.middleware import BaseOuterMiddleware

DOCUMENTED = (
    "app", "job", "state", "trigger", "runnable", "arguments", "func_spec", "is_force", "is_persist",
    "is_replace", "route_options", "jobify_config", "request_state", "persist_job_hook",
    "schedule_hook", "schedule_builder",
)  # fmt: skip
seen: dict[str, object] = {}


class Look(BaseOuterMiddleware):
    async def __call__(self, call_next, context):
        seen["is_outer_context"] = isinstance(context, OuterContext)
        seen["missing"] = [a for a in DOCUMENTED if not hasattr(context, a)]
        seen["hooks_callable"] = [
            callable(context.persist_job_hook),
            callable(context.schedule_hook),
        ]
        seen["arguments_type"] = type(context.arguments).__name__
        seen["runnable_bound_is_arguments"] = context.runnable.bound.arguments == context.arguments
        seen["config_is_app_configs"] = context.jobify_config is app.configs
        seen["request_state_type"] = type(context.request_state).__name__
        context.request_state["from_outer"] = 1
        return await call_next(context)


app = Jobify(storage=False, outer_middleware=[Look()])


@app.task(metadata={"m": 1})
async def task(x: int, rs: RequestState = INJECT) -> list:
    return sorted(rs.keys())


async def main() -> None:
    async with app:
        job = await task.push(1)
        await job.wait()
        seen["task_request_state_keys"] = job.result()
    report(seen)


asyncio.run(main())
