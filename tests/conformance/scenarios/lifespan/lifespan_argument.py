"""What an app's and a router's lifespan function is called with."""

import asyncio
from contextlib import asynccontextmanager

from harness import report

from jobify import Jobify, JobRouter

seen: dict[str, object] = {}


@asynccontextmanager
async def app_lifespan(arg):
    seen["app_is_app"] = arg is app
    seen["app_is_app_task"] = arg is app.task
    seen["app_arg_state_is_app_state"] = getattr(arg, "state", None) is app.state
    seen["app_arg_has_include_router"] = hasattr(arg, "include_router")
    yield


@asynccontextmanager
async def router_lifespan(arg):
    seen["router_is_router"] = arg is router
    seen["router_is_router_task"] = arg is router.task
    seen["router_arg_has_state"] = hasattr(arg, "state")
    seen["router_arg_state_is_router_state"] = getattr(arg, "state", None) is router.state
    yield


app = Jobify(storage=False, lifespan=app_lifespan)
router = JobRouter(lifespan=router_lifespan)
app.include_router(router)


async def main() -> None:
    async with app:
        pass
    seen["task_property_stable"] = app.task is app.task
    report(seen)


asyncio.run(main())
