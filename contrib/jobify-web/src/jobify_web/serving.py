"""``jobify run`` serves the dashboard when ``[jobify.web] listen`` is set.

The plugin's ``jobify_startup`` hook calls :func:`start` for every app that
starts; it does nothing unless the app's config file has ``[jobify.web]`` with
``listen``. Then it checks the table (a bad key or value fails the startup,
naming the file and key) and serves the dashboard on that address with
uvicorn, on the app's own event loop, until the app shuts down. It does not
serve:

- without a token (``$JOBIFY_WEB_TOKEN`` or ``[jobify.web] token``): nothing is
  served without one, and a warning says how to set it;
- in a producer app (``role = "producer"``): web workers are many processes
  that would race for one port; mount ``dashboard(app)`` in the web app instead.

Starlette, Jinja2 and uvicorn are imported only when the dashboard is served.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from jobify.exceptions import ConfigError
from jobify_web.settings import TOKEN_ENV, WebSettings

if TYPE_CHECKING:
    from jobify import Jobify

__all__ = ("served", "start", "stop")

log = logging.getLogger("jobify.web")

_SERVED: dict[int, tuple[Any, Any]] = {}
"""id(app) -> (server, dashboard) of the apps this process serves a dashboard for."""


async def start(app: Jobify) -> None:
    """Serve ``app``'s dashboard if its config asks for it (``[jobify.web] listen``).

    Raises:
        ConfigError: a bad ``[jobify.web]`` table, or the address cannot be listened on.
    """
    settings = WebSettings.of(app)
    listen = settings.listen
    if listen is None:
        return
    if app.extra.role == "producer":
        log.info(
            "dashboard: not served on %s by a producer app; mount dashboard(app) in the web "
            "app instead",
            listen,
        )
        return
    if settings.token is None:
        log.warning(
            "dashboard: not served: %s sets listen = %r but no token is set, and nothing is "
            "served without one. Set $%s, or token = a password hash (python -m jobify_web hash)",
            app.settings.where("web"), str(listen), TOKEN_ENV,
        )  # fmt: skip
        return
    from jobify_web.serve import EmbeddedServer
    from jobify_web.web import Dashboard

    dash = Dashboard(app, settings)
    server = EmbeddedServer(dash.asgi, listen)
    try:
        await server.start()
    except OSError as exc:
        where = app.settings.where("web")
        msg = f"{where} listen = {str(listen)!r}: cannot serve the dashboard there: {exc}"
        raise ConfigError(msg) from None
    _SERVED[id(app)] = (server, dash)
    log.info("dashboard: serving on %s/", server.url)
    if not listen.loopback:
        log.warning(
            "dashboard: %s is reachable beyond this machine; serve it behind TLS (a reverse "
            "proxy) so that the token and session cookies do not cross the network in clear",
            server.url,
        )


async def stop(app: Jobify) -> None:
    """Stop serving ``app``'s dashboard, if this process serves it."""
    served = _SERVED.pop(id(app), None)
    if served is None:
        return
    server, dash = served
    await dash.hub.close()
    await server.stop()
    log.info("dashboard: stopped")


def served(app: Jobify) -> Any:
    """The server of ``app``'s dashboard (with ``url``), or None: for tests and tools."""
    entry = _SERVED.get(id(app))
    return None if entry is None else entry[0]
