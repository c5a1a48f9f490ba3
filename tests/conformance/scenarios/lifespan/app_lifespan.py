"""The app's lifespan: entered at startup, exited at shutdown, its yielded mapping merged into app.state."""

import asyncio
from contextlib import asynccontextmanager

from harness import report

from jobify import INJECT, Jobify, State

events: list[str] = []


@asynccontextmanager
async def lifespan(arg):
    events.append("enter")
    yield {"db": "connected"}
    events.append("exit")


app = Jobify(storage=False, state=State({"initial": 1}), lifespan=lifespan)


@app.task
async def read(state: State = INJECT) -> list:
    events.append("task")
    return [state.get("db"), sorted(state.keys())]


async def main() -> None:
    out = {"state_before": sorted(app.state.keys())}
    async with app:
        events.append("body")
        out["state_inside"] = sorted(app.state.keys())
        job = await read.push()
        await job.wait()
        out["task_saw"] = job.result()
    out["state_after"] = sorted(app.state.keys())
    out["events"] = events
    report(out)


asyncio.run(main())
