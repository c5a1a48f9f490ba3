"""jobify.router exports Route, JobRouter, NodeRoute, RootRoute; what tasks are instances of."""

from harness import report

import jobify
import jobify.router as jr
from jobify import Jobify, JobRouter

app = Jobify(storage=False)
router = JobRouter()


@app.task
async def on_app() -> None: ...


@router.task
async def on_router() -> None: ...


def sync_task_direct(x: int) -> int:
    return x * 3


direct = app.task(sync_task_direct)
report(
    {
        "all": sorted(getattr(jr, "__all__", [])),
        "router_type_is_jobrouter": type(router) is JobRouter,
        "same_jobrouter": jr.JobRouter is jobify.JobRouter is JobRouter,
        "subclasses": [issubclass(jr.NodeRoute, jr.Route), issubclass(jr.RootRoute, jr.Route)],
        "app_task": [isinstance(on_app, jr.RootRoute), isinstance(on_app, jr.NodeRoute)],
        "router_task": [isinstance(on_router, jr.NodeRoute), isinstance(on_router, jr.RootRoute)],
        "jobify_is_jobrouter": isinstance(app, jr.JobRouter),
        "direct_call": direct(4),
        "task_name": [on_app.name, on_router.name],
        "func_names": [on_app.func.__name__, on_router.func.__name__, direct.func.__name__],
        "route_dunder_name": [
            getattr(on_app, "__name__", None),
            getattr(on_router, "__name__", None),
        ],
        "module_attribute_is_route": [
            globals()["on_app"] is on_app,
            globals()["on_router"] is on_router,
        ],
    }
)
