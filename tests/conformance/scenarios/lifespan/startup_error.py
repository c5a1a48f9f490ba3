"""An exception in a lifespan at startup: what propagates, which lifespans exit, and a later restart."""

import asyncio
from contextlib import asynccontextmanager

from harness import exc, report

from jobify import Jobify, JobRouter

events: list[str] = []


@asynccontextmanager
async def good(arg):
    events.append("good enter")
    try:
        yield
    finally:
        events.append("good exit")


@asynccontextmanager
async def bad(arg):
    events.append("bad enter")
    raise KeyError("lifespan boom")
    yield  # pragma: no cover


async def main() -> None:
    out = {}
    app = Jobify(storage=False, lifespan=good)
    router = JobRouter(lifespan=bad)
    app.include_router(router)
    try:
        async with app:
            events.append("body")
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        out["router_failure"] = exc(error)
    out["router_failure_events"] = list(events)
    events.clear()

    app2 = Jobify(storage=False, lifespan=bad)
    try:
        await app2.startup()
        events.append("app2 started")
    except Exception as error:  # noqa: BLE001
        out["app_failure"] = exc(error)
    try:
        await app2.shutdown()
        events.append("app2 shutdown ok")
    except Exception as error:  # noqa: BLE001
        out["shutdown_after_failure"] = exc(error)
    out["app_failure_events"] = list(events)
    report(out)


asyncio.run(main())
