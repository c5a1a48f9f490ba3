"""`Jobify(loop_factory=...)`: the app gets its event loop from it."""

import asyncio

from harness import report

from jobify import Jobify

calls: list[int] = []


def factory() -> asyncio.AbstractEventLoop:
    calls.append(1)
    return asyncio.get_running_loop()


app = Jobify(storage=False, loop_factory=factory)


@app.task
async def noop() -> str:
    return "ran"


async def main() -> None:
    before = len(calls)
    async with app:
        job = await noop.schedule().delay(0.01)
        await job.wait()
    report({"calls_before_startup": before, "called": len(calls) > 0, "result": job.result()})


asyncio.run(main())
