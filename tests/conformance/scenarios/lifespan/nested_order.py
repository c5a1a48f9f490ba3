"""Enter and exit order of the lifespans of an app, two routers and a nested router."""

import asyncio
from contextlib import asynccontextmanager

from harness import report

from jobify import Jobify, JobRouter

events: list[str] = []


def lifespan(tag: str):
    @asynccontextmanager
    async def manage(arg):
        events.append(f"{tag} enter")
        yield
        events.append(f"{tag} exit")

    return manage


app = Jobify(storage=False, lifespan=lifespan("app"))
first = JobRouter(lifespan=lifespan("first"))
second = JobRouter(lifespan=lifespan("second"))
nested = JobRouter(lifespan=lifespan("nested"))
silent = JobRouter()
first.include_router(nested)
app.include_routers(first, silent, second)


async def main() -> None:
    async with app:
        events.append("body")
    report({"events": events})


asyncio.run(main())
