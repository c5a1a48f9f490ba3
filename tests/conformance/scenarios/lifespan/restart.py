"""startup() twice, shutdown() twice, and restarting with async with: how often the lifespan runs."""

import asyncio
from contextlib import asynccontextmanager

from harness import exc, report

from jobify import Jobify

events: list[object] = []


@asynccontextmanager
async def lifespan(arg):
    events.append("enter")
    yield
    events.append("exit")


app = Jobify(storage=False, lifespan=lifespan)


@app.task
async def ping() -> str:
    return "pong"


async def attempt(label: str, coro: object) -> None:
    try:
        await coro  # type: ignore[misc]
        events.append(f"{label} ok")
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        events.append([label, exc(error)])


async def main() -> None:
    await attempt("startup", app.startup())
    await attempt("startup again", app.startup())
    await attempt("shutdown", app.shutdown())
    await attempt("shutdown again", app.shutdown())
    async with app:
        job = await ping.push()
        await job.wait()
        events.append(job.result())
    report({"events": events})


asyncio.run(main())
