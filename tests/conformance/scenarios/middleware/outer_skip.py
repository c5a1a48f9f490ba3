"""An outer middleware that does not call call_next: the job push returns, its state, whether it runs."""

import asyncio

from harness import report

from jobify import Jobify
from jobify.middleware import BaseOuterMiddleware

ran: list[int] = []


class Skip(BaseOuterMiddleware):
    async def __call__(self, call_next, context):
        if context.arguments.get("x") == 0:
            return None
        return await call_next(context)


app = Jobify(storage=False, outer_middleware=[Skip()])


@app.task
async def task(x: int) -> int:
    ran.append(x)
    return x


async def main() -> None:
    async with app:
        skipped = await task.push(0)
        out = {"status": str(skipped.status), "is_done": skipped.is_done()}
        try:
            await asyncio.wait_for(skipped.wait(), 0.5)
            out["wait"] = "returned"
        except TimeoutError:
            out["wait"] = "timed out"
        out["found"] = app.find_job(skipped.id) is not None
        normal = await task.push(1)
        await normal.wait()
        out["normal"] = normal.result()
        out["ran"] = ran
    report(out)


asyncio.run(main())
