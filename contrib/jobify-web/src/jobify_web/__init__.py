"""jobify-web: a dashboard for jobify apps, mountable in any ASGI app or served by ``jobify run``.

::

    from jobify_web import dashboard

    api.mount("/jobs", dashboard(app))   # FastAPI / Starlette; token from $JOBIFY_WEB_TOKEN

or, for ``jobify run``, in ``jobify.toml``::

    [jobify.web]
    listen = "127.0.0.1:8765"

Names load lazily, so that discovering the plugin imports neither Starlette,
Jinja2 nor uvicorn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobify_web.auth import hash_token as hash_token
    from jobify_web.settings import WebSettings as WebSettings
    from jobify_web.web import Dashboard as Dashboard
    from jobify_web.web import dashboard as dashboard

__all__ = ("Dashboard", "WebSettings", "dashboard", "hash_token")

_WHERE = {
    "Dashboard": "jobify_web.web",
    "dashboard": "jobify_web.web",
    "WebSettings": "jobify_web.settings",
    "hash_token": "jobify_web.auth",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'jobify_web' has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(module), name)
