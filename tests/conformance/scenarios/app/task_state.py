"""`app.task.state` and `router.task.state` are the app's and the router's State; a route's `state` too."""

from harness import catch, report

from jobify import Jobify, JobRouter, State

app = Jobify(storage=False, state=State({"a": 1}))
router = JobRouter(state=State({"r": 2}))


@app.task
async def job() -> None:
    pass


report(
    {
        "app_task_state": catch(lambda: dict(app.task.state)),
        "app_task_state_is_app_state": catch(lambda: app.task.state is app.state),
        "router_task_state": catch(lambda: dict(router.task.state)),
        "router_task_state_is_router_state": catch(lambda: router.task.state is router.state),
        "route_state_is_app_state": job.state is app.state,
        "route_state_type": type(job.state).__name__,
    }
)
