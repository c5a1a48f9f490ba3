"""When plugins start and stop relative to the app's and routers' lifespans and the app body."""

import asyncio
from contextlib import asynccontextmanager

from harness import report

from jobify import Jobify, JobRouter

events: list[str] = []


class Recorder:
    async def startup(self, app: Jobify) -> None:
        events.append("plugin up")

    async def shutdown(self) -> None:
        events.append("plugin down")


def lifespan(tag: str):
    @asynccontextmanager
    async def manage(arg):
        events.append(f"{tag} enter")
        yield
        events.append(f"{tag} exit")

    return manage


app = Jobify(storage=False, lifespan=lifespan("app"), plugins=[Recorder()])
router = JobRouter(lifespan=lifespan("router"))
app.include_router(router)


@app.task
async def task() -> None:
    events.append("task")


async def main() -> None:
    async with app:
        events.append("body")
        job = await task.push()
        await job.wait()
    report({"events": events})


asyncio.run(main())
