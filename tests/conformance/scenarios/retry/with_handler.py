"""Retry with an exception handler: a handled exception is not retried; middleware runs once per job."""

import asyncio

from harness import report

from jobify import Jobify, SmartRetry
from jobify.middleware import BaseMiddleware

calls: dict[str, int] = {"handled": 0, "unhandled": 0}
middleware_runs: list[str] = []
handler_runs: list[str] = []


class Count(BaseMiddleware):
    async def __call__(self, call_next, context):
        middleware_runs.append(context.runnable.name.rpartition(":")[2])
        return await call_next(context)


def handler(error, context):
    handler_runs.append(type(error).__name__)
    return "handled"


app = Jobify(storage=False, middleware=[Count()], exception_handlers={ValueError: handler})
FAST = SmartRetry(2, initial_delay=0.01, jitter=False)


@app.task(retry=FAST)
async def handled() -> None:
    calls["handled"] += 1
    raise ValueError


@app.task(retry=FAST)
async def unhandled() -> None:
    calls["unhandled"] += 1
    raise KeyError


async def main() -> None:
    async with app:
        j1 = await handled.push()
        j2 = await unhandled.push()
        await app.wait_all()
        out = {
            "handled": [str(j1.status), j1.result()],
            "unhandled": [str(j2.status), type(j2.exception).__name__],
        }
    out["calls"] = calls
    out["middleware_runs"] = sorted(middleware_runs)
    out["handler_runs"] = handler_runs
    report(out)


asyncio.run(main())
