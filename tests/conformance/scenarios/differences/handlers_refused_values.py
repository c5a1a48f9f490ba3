"""Exception handlers that are not callable or not keyed by an exception class: refused where given (ours); 0.14 takes them and later fails or ignores them. JobRouter.add_exception_handler exists only here."""

import asyncio
from typing import Any

from harness import exc, report

from jobify import Jobify, JobRouter


def handler(error, context):
    return "handled"


async def observe(build: Any) -> dict[str, Any]:
    """Build an app with the handlers; if it builds, what a task raising ValueError ends as."""
    try:
        app, route = build()
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return {"build": exc(error)}
    async with app:
        job = await route.push()
        await asyncio.wait_for(job.wait(), 2)
    return {"build": "built", "run": [str(job.status), type(job.exception).__name__]}


def failing() -> None:
    raise ValueError("boom")


def app_with(**options: Any) -> Any:
    def build() -> Any:
        app = Jobify(storage=False, **options)
        return app, app.task(failing)

    return build


def added(exc_class: Any, func: Any) -> Any:
    def build() -> Any:
        app = Jobify(storage=False)
        app.add_exception_handler(exc_class, func)
        return app, app.task(failing)

    return build


def on_task(handlers: Any) -> Any:
    def build() -> Any:
        app = Jobify(storage=False)
        return app, app.task(exception_handlers=handlers)(failing)

    return build


def on_router(handlers: Any) -> Any:
    def build() -> Any:
        app = Jobify(storage=False)
        router = JobRouter(exception_handlers=handlers)
        route = router.task(failing)
        app.include_router(router)
        return app, route

    return build


async def main() -> None:
    report(
        {
            "app_not_callable": await observe(app_with(exception_handlers={ValueError: 1})),
            "app_not_exception": await observe(app_with(exception_handlers={int: handler})),
            "add_not_callable": await observe(added(ValueError, 5)),
            "add_not_exception": await observe(added("x", handler)),
            "task_not_callable": await observe(on_task({ValueError: 3})),
            "router_not_callable": await observe(on_router({ValueError: 3})),
            "router_has_add": hasattr(JobRouter(), "add_exception_handler"),
        }
    )


asyncio.run(main())
