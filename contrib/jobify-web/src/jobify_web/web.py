"""The dashboard as an ASGI application: pages, the JSON API, login, events.

``dashboard(app)`` returns a Starlette application; mount it under any prefix
(``api.mount("/jobs", dashboard(app))``) or let ``jobify run`` serve it. Every
link, form and cookie path is built from the mount point (``root_path``), so it
works under any prefix.

Routes (every one but ``/login`` and ``/static`` needs the token):

=====================================  ===========================================
``GET /``                              tasks, and what the app is
``GET /jobs``                          jobs: filter, search, keyset paging
``GET /jobs/{id}``                     one job: arguments as stored, history, actions
``POST /jobs/{id}/{action}``           pause, resume, run, cancel (form + CSRF token)
``GET /failures``                      recent failed runs
``GET /cluster``                       nodes, leases, who owns what
``GET|POST /login``, ``POST /logout``  the browser's session
``GET /api/...``                       the same as JSON (see the README)
``GET /api/events``                    server-sent events: "something changed"
=====================================  ===========================================

Safe by default: without the token a request gets 401 and no data; a browser's
POST needs its session's CSRF token; ``read_only`` refuses actions (403) and
hides their buttons; templates escape everything (job ids and arguments are
user data); responses carry a strict Content-Security-Policy (no inline script,
no framing), and the token appears in no page, header or log line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple
from urllib.parse import parse_qs, quote, urlencode

import attrs
import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from jobify import options
from jobify.exceptions import ConfigError
from jobify_web.auth import Secret, Sessions
from jobify_web.data import ACTIONS, STATUSES, ActionError, Board, NotRunningError
from jobify_web.events import LINGER, ChangeHub
from jobify_web.settings import TOKEN_ENV, WebSettings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from jobify import Jobify

__all__ = ("Dashboard", "dashboard")

log = logging.getLogger("jobify.web")

HERE: Final = Path(__file__).parent
SESSION_COOKIE: Final = "jobify_web_session"
LOGIN_COOKIE: Final = "jobify_web_login"
MAX_BODY: Final = 16 * 1024
MAX_PARAM: Final = 1000
FRAGMENT_HEADER: Final = "x-jobify-fragment"
CONTENT_START: Final = "<!--content-->"
CONTENT_END: Final = "<!--/content-->"

SECURITY_HEADERS: Final = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
        b"object-src 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)

NOTICES: Final = {
    "pause": "Paused.",
    "resume": "Resumed.",
    "run": "Asked to run now.",
    "cancel": "Cancelled.",
    "gone": "No such job any more.",
    "login": "Logged in.",
    "logout": "Logged out.",
}
"""The only texts a ``?notice=`` shows: nothing from the URL reaches the page."""


class Principal(NamedTuple):
    """Who sent a request: a script with the token, or a browser with a session."""

    kind: str
    """``"bearer"`` or ``"session"``."""
    nonce: str | None
    """The session's nonce (its CSRF token derives from it); None for a bearer."""


class BadRequestError(ValueError):
    """A query parameter or form field the dashboard cannot use (400)."""


def dashboard(
    app: Jobify,
    *,
    token: str | None = None,
    read_only: bool | None = None,
    page_size: int | None = None,
    settings: WebSettings | None = None,
) -> Starlette:
    """The dashboard of ``app`` as an ASGI application, to mount under any prefix.

    Options come from ``[jobify.web]`` of the app's config file and
    ``$JOBIFY_WEB_TOKEN``; the arguments given here win over both.

    Args:
        app: the app to show and steer; it must be started when requests come.
        token: the token (or a password hash, ``python -m jobify_web hash``)
            that requests must carry.
        read_only: True refuses pause/resume/run/cancel and hides their buttons.
        page_size: rows per page of the job list and of history.
        settings: all of the options at once, instead of the file's.

    Raises:
        ConfigError: no token anywhere (nothing is served without one), or a
            bad option.
    """
    base = settings if settings is not None else WebSettings.of(app)
    given: dict[str, Any] = {"token": token, "read_only": read_only, "page_size": page_size}
    changes = {key: value for key, value in given.items() if value is not None}
    try:
        chosen = attrs.evolve(base, **changes)
    except options.OptionError as exc:
        if exc.name != "token":
            raise
        msg = f"dashboard(token=<hidden>): {exc.problem}"
        raise ConfigError(msg) from None
    if chosen.token is None:
        msg = (
            "dashboard(app): no token, and nothing is served without one. Set "
            f"${TOKEN_ENV}, or [jobify.web] token = a password hash (python -m jobify_web "
            "hash), or pass dashboard(app, token=...)"
        )
        raise ConfigError(msg)
    return Dashboard(app, chosen).asgi


def _href(base: str, path: str, **query: Any) -> str:
    """``base + path`` with the non-empty ``query`` parameters, encoded."""
    params = {k: v for k, v in query.items() if v not in (None, "", False)}
    return base + path + ("?" + urlencode(params) if params else "")


def _job_path(job_id: str) -> str:
    return "/jobs/" + quote(job_id, safe="")


def _safe_next(base: str, value: str | None) -> str:
    """A path inside the dashboard to go back to; anything else is the home page."""
    home = base + "/"
    if not value or not value.startswith(home) or value.startswith("//") or "\\" in value:
        return home
    return value


def _here(request: Request) -> str:
    """The request's path and query, to come back to."""
    query = request.url.query
    return request.url.path + ("?" + query if query else "")


def _text_param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if len(value) > MAX_PARAM:
        msg = f"{name}: at most {MAX_PARAM} characters"
        raise BadRequestError(msg)
    return value


def _int_param(request: Request, name: str, *, default: int | None, low: int, high: int) -> Any:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        msg = f"{name}: expected a whole number from {low} to {high}, got {value[:50]!r}"
        raise BadRequestError(msg)
    return int(value)


def _status_param(request: Request) -> str | None:
    status = _text_param(request, "status")
    if status is not None and status not in STATUSES:
        msg = f"status: expected one of {', '.join(STATUSES)}"
        raise BadRequestError(msg)
    return status


def _humane_duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return ""
    if seconds < 0.001:
        return "< 1 ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{seconds / 60:.1f} min"


def _without_type(message: str, error_type: str | None) -> str:
    """An error message without the ``Type: `` it starts with (the page shows the type)."""
    prefix = f"{error_type}: "
    return message[len(prefix) :] if error_type and message.startswith(prefix) else message


def _when(value: str | None) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM:SS``; its offset is the app's zone, shown once."""
    if not value:
        return "—"
    return value[:19].replace("T", " ")


class _SecurityHeaders:
    """Adds the security headers and ``Cache-Control: no-store`` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = "/static/" in scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                cache = b"max-age=3600" if static else b"no-store"
                headers.append((b"cache-control", cache))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Dashboard:
    """One dashboard: the app it shows, its secret, its pages, its event hub."""

    def __init__(
        self, app: Jobify, settings: WebSettings, *, tick: float = 1.0, linger: float = LINGER
    ) -> None:
        """Show ``app`` with ``settings`` (their ``token`` must be set)."""
        if settings.token is None:
            msg = (
                "Dashboard: settings.token is None; use dashboard(app), which says where to set it"
            )
            raise ConfigError(msg)
        self.settings = settings
        self.board = Board(app)
        self.hub = ChangeHub(self.board, tick=tick, linger=linger)
        self.secret = Secret(settings.token)
        self.sessions = Sessions(self.secret.session_key, max_age=settings.session_max_age)
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.templates.filters["duration"] = _humane_duration
        self.templates.filters["when"] = _when
        self.templates.filters["without_type"] = _without_type
        self.templates.filters["job_path"] = _job_path
        self.templates.filters["pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False)
        page, api = self._page, self._api
        routes = [
            Route("/", page(self.tasks_page), name="tasks"),
            Route("/jobs", page(self.jobs_page), name="jobs"),
            Route("/jobs/{job_id:path}", page(self.job_page), name="job"),
            Route("/jobs/{job_id:path}/{action}", page(self.act_page), methods=["POST"]),
            Route("/failures", page(self.failures_page), name="failures"),
            Route("/cluster", page(self.cluster_page), name="cluster"),
            Route("/login", self.login_form, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", page(self.logout), methods=["POST"]),
            Route("/api", api(self.api_index)),
            Route("/api/overview", api(self.api_overview)),
            Route("/api/tasks", api(self.api_tasks)),
            Route("/api/jobs", api(self.api_jobs)),
            Route("/api/jobs/{job_id:path}", api(self.api_job)),
            Route("/api/jobs/{job_id:path}/{action}", api(self.api_act), methods=["POST"]),
            Route("/api/runs", api(self.api_runs)),
            Route("/api/cluster", api(self.api_cluster)),
            Route("/api/events", api(self.api_events)),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]
        self.asgi = Starlette(routes=routes, middleware=[Middleware(_SecurityHeaders)])
        self.asgi.state.dashboard = self

    # --- authentication ----------------------------------------------------------------

    async def principal(self, request: Request) -> Principal | None:
        """Who sent ``request``, or None: a valid bearer token wins over a session cookie."""
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, value = header.partition(" ")
            offered = value.strip()
            if scheme.lower() == "bearer" and offered and await self.secret.check(offered):
                return Principal("bearer", None)
            return None
        nonce = self.sessions.read(request.cookies.get(SESSION_COOKIE))
        return Principal("session", nonce) if nonce is not None else None

    def _csrf_ok(self, who: Principal, offered: str | None) -> bool:
        if who.kind == "bearer":
            return True  # a browser never adds the Authorization header by itself
        return who.nonce is not None and self.sessions.check_csrf(who.nonce, offered)

    @staticmethod
    def _base(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    def _cookie_path(self, request: Request) -> str:
        return self._base(request) + "/"

    def _login_response(self, request: Request, *, status: int, error: str = "") -> Response:
        """The login form (401 for a request that needed the token), with a fresh login cookie."""
        nonce = self.sessions.login_nonce()
        base = self._base(request)
        wanted = _safe_next(
            base, request.url.path + ("?" + request.url.query if request.url.query else "")
        )
        if request.url.path.rstrip("/") in (base + "/login", base + "/logout"):
            wanted = _safe_next(base, request.query_params.get("next"))
        html = self._render(
            request, "login.html", None, active="login",
            login_csrf=self.sessions.login_csrf(nonce), next=wanted, error=error,
        )  # fmt: skip
        response = HTMLResponse(html, status_code=status)
        response.set_cookie(
            LOGIN_COOKIE, nonce, max_age=900, path=self._cookie_path(request), httponly=True,
            samesite="strict", secure=request.url.scheme == "https",
        )  # fmt: skip
        return response

    def _unauthorized(self, request: Request, *, api: bool) -> Response:
        if api:
            return JSONResponse(
                {"error": "unauthorized", "detail": "send Authorization: Bearer TOKEN"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="jobify"'},
            )
        return self._login_response(request, status=401)

    def _page(
        self, handler: Callable[[Request, Principal], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            who = await self.principal(request)
            if who is None:
                return self._unauthorized(request, api=False)
            try:
                return await handler(request, who)
            except BadRequestError as exc:
                return self._message(request, who, 400, "Bad request", str(exc))
            except NotRunningError as exc:
                return self._message(request, who, 503, "Not running", str(exc))

        return endpoint

    def _api(
        self, handler: Callable[[Request, Principal], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            who = await self.principal(request)
            if who is None:
                return self._unauthorized(request, api=True)
            try:
                return await handler(request, who)
            except BadRequestError as exc:
                return JSONResponse({"error": "bad request", "detail": str(exc)}, 400)
            except NotRunningError as exc:
                return JSONResponse({"error": "not running", "detail": str(exc)}, 503)

        return endpoint

    # --- rendering -----------------------------------------------------------------

    def _render(
        self, request: Request, template: str, who: Principal | None, **context: Any
    ) -> str:
        base = self._base(request)
        notice = NOTICES.get(request.query_params.get("notice", ""))
        values = {
            "base": base,
            "href": lambda path, **q: _href(base, path, **q),
            "csrf": self.sessions.csrf(who.nonce) if who and who.nonce else "",
            "signed_in": who is not None,
            "session": who is not None and who.kind == "session",
            "read_only": self.settings.read_only,
            "overview": self.board.overview() if who is not None else None,
            "notice": notice,
            "here": _here(request),
            "live_version": self.hub.touch() if who is not None else 0,
            **context,
        }
        html = self.templates.get_template(template).render(values)
        if request.headers.get(FRAGMENT_HEADER) == "1":  # the page's script refreshes #content
            start, end = html.find(CONTENT_START), html.rfind(CONTENT_END)
            if 0 <= start < end:
                return html[start + len(CONTENT_START) : end]
        return html

    def _html(
        self, request: Request, template: str, who: Principal, status: int = 200, **context: Any
    ) -> Response:
        return HTMLResponse(self._render(request, template, who, **context), status_code=status)

    def _message(
        self, request: Request, who: Principal, status: int, title: str, text: str
    ) -> Response:
        return self._html(
            request, "message.html", who, status=status, title=title, text=text, active=""
        )

    # --- pages ---------------------------------------------------------------------

    async def tasks_page(self, request: Request, who: Principal) -> Response:
        """``GET /``: the tasks and what the app is."""
        return self._html(request, "tasks.html", who, active="tasks", tasks=self.board.tasks())

    def _jobs_query(self, request: Request) -> dict[str, Any]:
        return {
            "after": _text_param(request, "after"),
            "limit": _int_param(request, "limit", default=self.settings.page_size, low=1, high=500),
            "task": _text_param(request, "task"),
            "status": _status_param(request),
            "search": _text_param(request, "search"),
        }

    async def jobs_page(self, request: Request, who: Principal) -> Response:
        """``GET /jobs``: a page of jobs by id, with filters."""
        query = self._jobs_query(request)
        page = await self.board.jobs(**query)
        tz = self.board.tz
        return self._html(
            request, "jobs.html", who, active="jobs", query=query,
            rows=[row.as_json(tz) for row in page.rows], next_after=page.next_after,
            source=page.source, statuses=STATUSES, task_names=self.board.task_names(),
            default_limit=self.settings.page_size,
        )  # fmt: skip

    async def job_page(self, request: Request, who: Principal) -> Response:
        """``GET /jobs/{id}``: one job, its arguments and its history."""
        job_id = request.path_params["job_id"]
        detail = await self.board.job(job_id)
        before = _int_param(request, "before", default=None, low=1, high=2**62)
        runs = await self.board.runs(job_id=job_id, before=before, limit=self.settings.page_size)
        if detail is None and (runs is None or not runs.runs):
            return self._html(
                request, "message.html", who, status=404, active="jobs", title="No such job",
                text=f"No job {job_id!r} is stored, live here, or kept as a result.",
            )  # fmt: skip
        return self._html(
            request, "job.html", who, active="jobs", job_id=job_id, job=detail, runs=runs,
            history=self.board.history_state(),
        )  # fmt: skip

    async def failures_page(self, request: Request, who: Principal) -> Response:
        """``GET /failures``: the latest runs that did not succeed."""
        before = _int_param(request, "before", default=None, low=1, high=2**62)
        runs = await self.board.runs(before=before, limit=self.settings.page_size, failed_only=True)
        return self._html(
            request, "failures.html", who, active="failures", runs=runs,
            history=self.board.history_state(),
        )  # fmt: skip

    async def cluster_page(self, request: Request, who: Principal) -> Response:
        """``GET /cluster``: the nodes, when the storage is a cluster."""
        nodes = await self.board.nodes()
        return self._html(request, "cluster.html", who, active="cluster", nodes=nodes)

    async def _form(self, request: Request) -> dict[str, str]:
        body = await request.body()
        if len(body) > MAX_BODY:
            msg = "form too large"
            raise BadRequestError(msg)
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
        except (UnicodeDecodeError, ValueError):
            msg = "expected a URL-encoded form"
            raise BadRequestError(msg) from None
        return {key: values[0] for key, values in fields.items()}

    async def act_page(self, request: Request, who: Principal) -> Response:
        """``POST /jobs/{id}/{action}``: an action from a page's button."""
        job_id, action = request.path_params["job_id"], request.path_params["action"]
        form = await self._form(request)
        if action not in ACTIONS:
            return self._message(request, who, 404, "Not found", f"No action {action!r}.")
        if not self._csrf_ok(who, form.get("csrf") or request.headers.get("x-csrf-token")):
            return self._message(
                request, who, 403, "Refused",
                "The form's CSRF token is missing or wrong. Reload the page and try again.",
            )  # fmt: skip
        if self.settings.read_only:
            return self._message(request, who, 403, "Read-only", "This dashboard is read-only.")
        try:
            found = await self.board.act(action, job_id)
        except ActionError as exc:
            return self._message(request, who, 409, "Refused", str(exc))
        base = self._base(request)
        back = _safe_next(base, form.get("next"))
        if action == "cancel" and back.startswith(base + _job_path(job_id)):
            back = base + "/jobs"
        notice = action if found else "gone"
        sep = "&" if "?" in back else "?"
        return RedirectResponse(f"{back}{sep}notice={notice}", status_code=303)

    async def login_form(self, request: Request) -> Response:
        """``GET /login``: the form (200); a signed-in browser goes home."""
        if await self.principal(request) is not None:
            return RedirectResponse(self._base(request) + "/", status_code=303)
        return self._login_response(request, status=200)

    async def login(self, request: Request) -> Response:
        """``POST /login``: check the token, then set the session cookie."""
        try:
            form = await self._form(request)
        except BadRequestError:
            form = {}
        if not self.sessions.check_login_csrf(request.cookies.get(LOGIN_COOKIE), form.get("csrf")):
            return self._login_response(request, status=403, error="The form expired; try again.")
        if not await self.secret.check(form.get("token", "")):
            log.warning(
                "dashboard: failed login from %s", request.client.host if request.client else "?"
            )
            return self._login_response(request, status=401, error="Wrong token.")
        base = self._base(request)
        back = _safe_next(base, form.get("next"))
        response = RedirectResponse(back, status_code=303)
        response.set_cookie(
            SESSION_COOKIE, self.sessions.issue(), max_age=int(self.settings.session_max_age),
            path=self._cookie_path(request), httponly=True, samesite="strict",
            secure=request.url.scheme == "https",
        )  # fmt: skip
        response.delete_cookie(LOGIN_COOKIE, path=self._cookie_path(request))
        return response

    async def logout(self, request: Request, who: Principal) -> Response:
        """``POST /logout``: forget the session cookie (CSRF-checked)."""
        form = await self._form(request)
        if not self._csrf_ok(who, form.get("csrf")):
            return self._message(
                request, who, 403, "Refused", "The CSRF token is missing or wrong."
            )
        response = RedirectResponse(self._base(request) + "/login?notice=logout", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=self._cookie_path(request))
        return response

    # --- the JSON API ----------------------------------------------------------------

    async def api_index(self, request: Request, who: Principal) -> Response:
        """``GET /api``: the endpoints."""
        base = self._base(request)
        return JSONResponse(
            {
                "overview": f"{base}/api/overview",
                "tasks": f"{base}/api/tasks",
                "jobs": f"{base}/api/jobs",
                "job": f"{base}/api/jobs/{{id}}",
                "runs": f"{base}/api/runs",
                "cluster": f"{base}/api/cluster",
                "events": f"{base}/api/events",
                "actions": [f"POST {base}/api/jobs/{{id}}/{action}" for action in ACTIONS],
            }
        )

    async def api_overview(self, request: Request, who: Principal) -> Response:
        """``GET /api/overview``: the app's statistics and abilities."""
        overview = self.board.overview()
        overview["read_only"] = self.settings.read_only
        return JSONResponse(overview)

    async def api_tasks(self, request: Request, who: Principal) -> Response:
        """``GET /api/tasks``."""
        return JSONResponse({"tasks": self.board.tasks()})

    async def api_jobs(self, request: Request, who: Principal) -> Response:
        """``GET /api/jobs?after=&limit=&task=&status=&search=``."""
        page = await self.board.jobs(**self._jobs_query(request))
        tz = self.board.tz
        return JSONResponse(
            {
                "jobs": [row.as_json(tz) for row in page.rows],
                "next_after": page.next_after,
                "source": page.source,
                "time_zone": tz.key,
            }
        )

    async def api_job(self, request: Request, who: Principal) -> Response:
        """``GET /api/jobs/{id}``: one job, with its first page of runs."""
        job_id = request.path_params["job_id"]
        detail = await self.board.job(job_id)
        if detail is None:
            return JSONResponse({"error": "not found", "job_id": job_id}, 404)
        runs = await self.board.runs(job_id=job_id, limit=self.settings.page_size)
        detail["runs"] = None if runs is None else runs.runs
        detail["runs_next_before"] = None if runs is None else runs.next_before
        return JSONResponse(detail)

    async def api_runs(self, request: Request, who: Principal) -> Response:
        """``GET /api/runs?job=&before=&limit=&failed=1``: run history, newest first."""
        failed = request.query_params.get("failed", "") in ("1", "true", "yes")
        runs = await self.board.runs(
            job_id=_text_param(request, "job"),
            before=_int_param(request, "before", default=None, low=1, high=2**62),
            limit=_int_param(request, "limit", default=self.settings.page_size, low=1, high=500),
            failed_only=failed,
        )
        history = self.board.history_state()
        if runs is None:
            return JSONResponse({"runs": [], "next_before": None, "history": history})
        return JSONResponse(
            {"runs": runs.runs, "next_before": runs.next_before, "history": history}
        )

    async def api_cluster(self, request: Request, who: Principal) -> Response:
        """``GET /api/cluster``: the nodes (``null`` when the storage is not a cluster)."""
        return JSONResponse({"nodes": await self.board.nodes()})

    async def api_act(self, request: Request, who: Principal) -> Response:
        """``POST /api/jobs/{id}/{action}``: pause, resume, run, cancel."""
        job_id, action = request.path_params["job_id"], request.path_params["action"]
        if action not in ACTIONS:
            return JSONResponse({"error": "not found", "detail": f"no action {action!r}"}, 404)
        if not self._csrf_ok(who, request.headers.get("x-csrf-token")):
            return JSONResponse(
                {"error": "forbidden", "detail": "send the session's X-CSRF-Token header"}, 403
            )
        if self.settings.read_only:
            return JSONResponse({"error": "forbidden", "detail": "read-only dashboard"}, 403)
        try:
            found = await self.board.act(action, job_id)
        except ActionError as exc:
            return JSONResponse({"error": "refused", "detail": str(exc)}, 409)
        if not found:
            return JSONResponse({"error": "not found", "job_id": job_id}, 404)
        return JSONResponse({"ok": True, "job_id": job_id, "action": action})

    async def api_events(self, request: Request, who: Principal) -> Response:
        """``GET /api/events``: server-sent ``event: change`` whenever something changed."""

        async def stream() -> AsyncIterator[str]:
            hello = True
            async for version in self.hub.changes():
                if hello:  # the sources run: say whether the storage pushes changes
                    hello = False
                    data = json.dumps({"version": version, "pushed": self.hub.pushed})
                    yield f"retry: 3000\nevent: hello\ndata: {data}\n\n"
                elif version is None:
                    yield ": keepalive\n\n"
                else:
                    yield f"event: change\ndata: {json.dumps({'version': version})}\n\n"

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"X-Accel-Buffering": "no"},
        )
