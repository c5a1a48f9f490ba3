"""``[jobify.web]``: the dashboard's options, checked once, and where they come from.

Every key is optional::

    [jobify.web]
    listen = "127.0.0.1:8765"   # `jobify run` serves the dashboard here (none: not served)
    token = "scrypt$..."        # a password hash (python -m jobify_web hash); or $JOBIFY_WEB_TOKEN
    read_only = false           # true: no pause/resume/run/cancel, and no buttons
    page_size = 50              # rows per page of the job list and of run history
    session_max_age = 43200     # seconds a browser login lasts

``$JOBIFY_WEB_TOKEN`` wins over ``token``; an argument of ``dashboard(app, ...)``
wins over both. The token itself never appears in an error, a log line or a
page: its checks name the key and say what is wrong, never the value.

The plugin claims ``[jobify.web]`` (``jobify_register_config_tables``), so
jobify checks the table when the app is assembled, and ``jobify check`` does:
the built :class:`WebSettings` is ``app.assembly.tables["web"]``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs

from jobify import options
from jobify.exceptions import ConfigError

if TYPE_CHECKING:
    from jobify import Jobify

__all__ = (
    "DEFAULT_HOST",
    "TOKEN_ENV",
    "Listen",
    "WebSettings",
    "parse_listen",
    "token_problem",
)

_OWNER: Final = "WebSettings"
TOKEN_ENV: Final = "JOBIFY_WEB_TOKEN"  # noqa: S105 - a variable's name, not a secret
DEFAULT_HOST: Final = "127.0.0.1"
MIN_TOKEN_LENGTH: Final = 16
HASH_PREFIX: Final = "scrypt$"


class Listen(NamedTuple):
    """Where ``jobify run`` serves the dashboard: a host (an address or a name) and a port."""

    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def loopback(self) -> bool:
        """True for an address only this machine reaches (127.0.0.0/8, ::1, localhost)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def parse_listen(value: Any) -> Listen:
    """``"host:port"``, ``"[::1]:port"``, ``":port"`` or ``"port"``; no host means 127.0.0.1.

    Raises:
        OptionError: not text of that shape, or a port outside 0-65535.
    """
    if isinstance(value, Listen):
        return value
    owner, example = _OWNER, 'e.g. "127.0.0.1:8765"'
    if isinstance(value, bool) or not isinstance(value, str | int):
        problem = f'expected "host:port", {example}'
        raise options.fail(owner, "listen", value, problem, kind=options.OptionTypeError)
    text = str(value).strip()
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "", text
    host = host.strip("[]") or DEFAULT_HOST
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        problem = f'expected "host:port" with a port from 0 to 65535, {example}'
        raise options.fail(owner, "listen", value, problem)
    return Listen(host, int(port))


def token_problem(value: Any) -> str | None:
    """What is wrong with a token or password hash, or None; never repeats the value."""
    if not isinstance(value, str):
        return f"expected a str, got {type(value).__name__}"
    if value.startswith(HASH_PREFIX):
        parts = value.split("$")
        if len(parts) != 6 or not all(p.isdigit() for p in parts[1:4]):
            return (
                "a password hash must look like scrypt$N$r$p$SALT$HASH; make one with: "
                "python -m jobify_web hash"
            )
        return None
    if len(value) < MIN_TOKEN_LENGTH or not value.isprintable() or value != value.strip():
        return (
            f"a token must be at least {MIN_TOKEN_LENGTH} printable characters without spaces "
            "around them (e.g. python -c 'import secrets; print(secrets.token_urlsafe())'), or a "
            "password hash (python -m jobify_web hash)"
        )
    return None


class _Hidden:
    """Stands for a token in error messages, which never show it."""

    def __repr__(self) -> str:
        return "<hidden>"


def _check_token(_inst: Any, _attr: attrs.Attribute[Any], value: Any) -> None:
    problem = None if value is None else token_problem(value)
    if problem is not None:
        raise options.fail(_OWNER, "token", _Hidden(), problem)


@attrs.frozen(kw_only=True)
class WebSettings:
    """The dashboard's options (``[jobify.web]``); see the module's docstring."""

    listen: Listen | None = attrs.field(
        default=None, converter=attrs.converters.optional(parse_listen)
    )
    token: str | None = attrs.field(default=None, validator=_check_token, repr=False)
    read_only: bool = attrs.field(default=False, validator=options.flag())
    page_size: int = attrs.field(
        default=50, validator=options.integer(minimum=1, maximum=500, example=50)
    )
    session_max_age: float = attrs.field(
        default=12 * 3600.0, validator=options.seconds(example=43200)
    )

    @classmethod
    def of(cls, app: Jobify, *, environ: Mapping[str, str] | None = None) -> WebSettings:
        """The settings of ``app``'s config file (and the environment); defaults without a table.

        Raises:
            ConfigError: ``$JOBIFY_WEB_TOKEN`` is set to a weak token.
        """
        env = os.environ if environ is None else environ
        settings = app.assembly.tables.get("web") or cls()
        if not env.get(TOKEN_ENV):
            return settings
        problem = token_problem(env[TOKEN_ENV])
        if problem is not None:
            msg = f"${TOKEN_ENV}: {problem}"
            raise ConfigError(msg)
        return attrs.evolve(settings, token=env[TOKEN_ENV])
