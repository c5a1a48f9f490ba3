"""RequestState: fresh for every run, shared by middleware and the task, attribute and key access."""

import asyncio

from harness import report

from jobify import INJECT, JobContext, Jobify, RequestState, SmartRetry
from jobify.middleware import BaseMiddleware, BaseOuterMiddleware

seen_by_middleware: list[dict] = []
attempts: list[dict] = []


class Outer(BaseOuterMiddleware):
    async def __call__(self, call_next, context):
        context.request_state["from_outer"] = True
        return await call_next(context)


class Inner(BaseMiddleware):
    async def __call__(self, call_next, context):
        seen_by_middleware.append(dict(context.request_state))
        context.request_state["run"] = len(seen_by_middleware)
        context.request_state.user = "alice"
        return await call_next(context)


app = Jobify(storage=False, middleware=[Inner()], outer_middleware=[Outer()])


@app.task
async def task(rs: RequestState = INJECT, ctx: JobContext = INJECT) -> dict:
    return {
        "keys": sorted(rs.keys()),
        "run": rs.run,
        "user_key": rs["user"],
        "same_as_ctx": rs is ctx.request_state,
        "type": type(rs).__name__,
    }


@app.task(retry=SmartRetry(2, initial_delay=0.01, jitter=False))
async def flaky(rs: RequestState = INJECT) -> int:
    attempts.append(dict(rs))
    rs["attempt"] = len(attempts)
    if len(attempts) < 3:
        raise ValueError
    return len(attempts)


async def main() -> None:
    async with app:
        j1 = await task.push()
        await j1.wait()
        j2 = await task.push()
        await j2.wait()
        j3 = await flaky.push()
        await j3.wait()
        out = {
            "first": j1.result(),
            "second": j2.result(),
            "middleware_saw": seen_by_middleware,
            "retry_attempts_saw": attempts,
            "flaky": j3.result(),
        }
    report(out)


asyncio.run(main())
