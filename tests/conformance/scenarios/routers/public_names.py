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
        "same_jobrouter": jr.JobRouter is jobify.JobRouter is JobRouter,
        "subclasses": [issubclass(jr.NodeRoute, jr.Route), issubclass(jr.RootRoute, jr.Route)],
        "app_task": [isinstance(on_app, jr.RootRoute), isinstance(on_app, jr.NodeRoute)],
        "router_task": [isinstance(on_router, jr.NodeRoute), isinstance(on_router, jr.RootRoute)],
        "jobify_is_jobrouter": isinstance(app, jr.JobRouter),
        "direct_call": direct(4),
        "task_name": [on_app.name, on_router.name],
    }
)
