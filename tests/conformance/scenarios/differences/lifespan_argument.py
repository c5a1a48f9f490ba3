"""What the lifespan function of an app and of a router receives."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from harness import report

from jobify import Jobify, JobRouter

seen: dict[str, Any] = {}


@asynccontextmanager
async def app_lifespan(arg: Any) -> AsyncIterator[None]:
    seen["app_arg_is_app"] = arg is app
    yield


@asynccontextmanager
async def router_lifespan(arg: Any) -> AsyncIterator[None]:
    seen["router_arg_is_router"] = arg is router
    yield


router = JobRouter(lifespan=router_lifespan)
app = Jobify(storage=False, lifespan=app_lifespan)
app.include_router(router)


async def main() -> None:
    async with app:
        pass
    report(seen)


asyncio.run(main())
