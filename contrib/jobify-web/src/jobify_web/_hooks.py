"""Hook implementations of jobify-web: serve the dashboard from ``jobify run``.

Only ``jobify.hookspecs`` is imported here; the rest loads when an app starts,
and Starlette, Jinja2 and uvicorn only when ``[jobify.web] listen`` asks for a
server (:mod:`jobify_web.serving`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobify.hookspecs import hookimpl

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from jobify import Jobify
    from jobify.hookspecs import RegisterTable

__all__ = ("jobify_register_config_tables", "jobify_shutdown", "jobify_startup")


@hookimpl
def jobify_register_config_tables(register: RegisterTable) -> None:
    """Claim ``[jobify.web]``: the dashboard's options (:class:`jobify_web.WebSettings`)."""
    register("web", "jobify_web.settings:WebSettings")


@hookimpl
def jobify_startup(app: Jobify) -> Awaitable[None]:
    """Serve the app's dashboard when its config sets ``[jobify.web] listen``."""
    from jobify_web import serving

    return serving.start(app)


@hookimpl
def jobify_shutdown(app: Jobify) -> Awaitable[None]:
    """Stop serving the app's dashboard."""
    from jobify_web import serving

    return serving.stop(app)
