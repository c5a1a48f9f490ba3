"""The registry: the tasks of one app by name, bound from its routers and built at startup.

A task declared on the app is added directly; one declared on a router becomes
a :class:`~jobify._kernel.routes.RootRoute` here when its router is included
(the router's ``NodeRoute`` is bound to it). Route names are unique per app.
The route and router classes live in :mod:`jobify._kernel.routes` and
:mod:`jobify._kernel.routers`; their names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jobify._kernel.routers import JobRouter, Lifespan, MappingExceptionHandlers, Router
from jobify._kernel.routes import NodeRoute, RootRoute, Route
from jobify.exceptions import ApplicationStateError, RouteAlreadyRegisteredError

if TYPE_CHECKING:
    from jobify._kernel.app import Jobify
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware

__all__ = (
    "JobRouter",
    "Lifespan",
    "MappingExceptionHandlers",
    "NodeRoute",
    "Registry",
    "RootRoute",
    "Route",
    "Router",
)


class Registry:
    """The tasks of one app by name: binding routers' tasks, and building them at startup.

    A task declared on the app is added directly; one declared on a router
    becomes a :class:`RootRoute` here when its router is included (the router's
    ``NodeRoute`` is bound to it). Names are unique per app; nothing changes
    once the app runs.
    """

    __slots__ = ("_app", "routes")

    def __init__(self, app: Jobify) -> None:
        """An empty registry of ``app``."""
        self._app = app
        self.routes: dict[str, RootRoute[Any, Any]] = {}

    def check_open(self, what: str) -> None:
        """Raise ``ApplicationStateError`` for ``what`` once the app runs."""
        if self._app.configs.app_started:
            raise ApplicationStateError(
                operation=what,
                reason="the app is running and its configuration is frozen",
                solution=(
                    "Declare tasks, include routers and add middleware and exception "
                    "handlers before `async with app:` / startup()."
                ),
            )

    def add(self, route: RootRoute[Any, Any]) -> None:
        """Add a task of the app itself."""
        self.check_open(f"register task {route.name!r}")
        if route.name in self.routes:
            raise RouteAlreadyRegisteredError(route.name)
        self.routes[route.name] = route

    def remove(self, name: str) -> None:
        """Forget the task ``name``."""
        self.check_open(f"remove task {name!r}")
        self.routes.pop(name, None)

    def bind_router(self, router: Router) -> None:
        """Bind every task of ``router`` and its sub-routers (it was just included)."""
        for route in router.own_routes:
            self.bind_route(router, route)
        for sub in router.sub_routers:
            self.bind_router(sub)

    def bind_route(self, router: Router, route: Route[Any, Any]) -> None:
        """Bind ``route``, declared on the included ``router``, under its prefixed name."""
        app = self._app
        self.check_open(f"register task {route.name!r}")
        prefix = router.full_prefix()
        name = f"{prefix}:{route.name}" if prefix else route.name
        if name in self.routes:
            raise RouteAlreadyRegisteredError(name)
        lineage: list[Router] = []
        node: Router | None = router
        while node is not None and node is not app:
            lineage.append(node)
            node = node.parent
        real = app.route_class(
            name=name, func=route.func, options=route.options, app=app, routers=lineage[::-1]
        )
        self.routes[name] = real
        if isinstance(route, NodeRoute):
            route.bind(real)

    def unbind_router(self, router: Router) -> None:
        """Undo a :meth:`bind_router` that failed part way (an include that raised)."""
        for route in router.own_routes:
            if isinstance(route, NodeRoute) and route.is_bound:
                real = route.real_route
                if self.routes.get(real.name) is real:
                    del self.routes[real.name]
                route.bind(None)
        for sub in router.sub_routers:
            self.unbind_router(sub)

    def build(
        self,
        *,
        middleware: Sequence[BaseMiddleware],
        outer_middleware: Sequence[BaseOuterMiddleware],
        stored: bool,
    ) -> None:
        """Compose every task's chains at startup; routers' tasks take their app names."""
        app = self._app
        for route in self.routes.values():
            route.build(
                middleware=middleware,
                outer_middleware=outer_middleware,
                exception_handlers=app.exception_handlers,
                stored=stored,
            )
        for node in app.routes:
            if isinstance(node, NodeRoute):
                node.take_app_name()
