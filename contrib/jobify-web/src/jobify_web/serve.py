"""Serving the dashboard from the app's own process: uvicorn on the app's event loop.

``jobify run`` serves it when ``[jobify.web] listen`` is set (see
:mod:`jobify_web.serving`). The socket is bound before uvicorn starts, so a
busy port or a bad address fails the app's startup with an error that names
it, instead of uvicorn's ``sys.exit``; uvicorn's own signal handling is left
out, since ``jobify run`` owns SIGINT and SIGTERM and stops the server with
the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

import uvicorn

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from jobify_web.settings import Listen

__all__ = ("EmbeddedServer",)

STARTUP_TIMEOUT: Final = 10.0
STOP_TIMEOUT: Final = 5.0


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the app that embeds it owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """A listening, non-blocking TCP socket on ``host:port`` (port 0: a free one).

    Raises:
        OSError: the address is not this machine's, or the port is taken.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)  # noqa: FBT003 - socket's API
    except OSError:
        sock.close()
        raise
    return sock


class EmbeddedServer:
    """uvicorn serving one ASGI app on the running loop until :meth:`stop`."""

    def __init__(self, asgi: ASGIApp, listen: Listen, *, access_log: bool = True) -> None:
        """Serve ``asgi`` on ``listen`` once started."""
        self._asgi = asgi
        self._listen = listen
        self._access_log = access_log
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.host = listen.host
        self.port = listen.port

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8765``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Bind, then serve in a task of the running loop; returns once it accepts requests.

        Raises:
            OSError: binding failed (the port is taken, the address is not local).
            RuntimeError: uvicorn did not start.
        """
        sock = bind(self._listen.host, self._listen.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._asgi,
            lifespan="off",
            log_config=None,
            access_log=self._access_log,
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=2,
        )
        server = self._server = _Server(config)
        task = self._task = asyncio.get_running_loop().create_task(
            server.serve(sockets=[sock]), name="jobify-web server"
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_TIMEOUT
        while not server.started:
            if task.done():
                sock.close()
                task.result()  # raises what uvicorn raised
                msg = "the dashboard's server stopped while starting"
                raise RuntimeError(msg)
            if loop.time() > deadline:
                await self.stop()
                msg = "the dashboard's server did not start within 10 seconds"
                raise RuntimeError(msg)
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop accepting, let requests end (2 s at most), then return."""
        server, task = self._server, self._task
        self._server = self._task = None
        if server is None or task is None:
            return
        server.should_exit = True
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await asyncio.shield(task)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
