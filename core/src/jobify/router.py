"""Routers and routes: organise tasks in groups, as FastAPI routers do.

``JobRouter`` groups tasks with a name ``prefix``, middleware, exception
handlers, state and a lifespan; ``app.include_router(router)`` binds them.
``RootRoute`` is a task bound to an app, ``NodeRoute`` one declared on a router.
"""

from jobify._kernel.registry import JobRouter, NodeRoute, RootRoute, Route

__all__ = ("JobRouter", "NodeRoute", "RootRoute", "Route")
