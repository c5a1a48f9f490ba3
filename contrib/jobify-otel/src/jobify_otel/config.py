"""``[jobify.metrics]``: where ``jobify run`` serves the Prometheus endpoint (off by default).

The table is claimed through ``jobify_register_config_tables``, so jobify
checks it at assembly (and ``jobify check`` does) with the house messages::

    jobify.toml [jobify.metrics] listen = 'localhost': MetricsOptions(listen=...):
      expected "host:port", ":port" or a port; e.g. listen='127.0.0.1:9464'
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from jobify import options

__all__ = ("DEFAULT_HOST", "Address", "MetricsOptions", "parse_listen")

DEFAULT_HOST: Final = "127.0.0.1"
"""The endpoint's host when ``listen`` gives a port only: loopback, never all interfaces."""


@attrs.frozen
class Address:
    """A host and a TCP port to listen on (port 0: any free port)."""

    host: str
    port: int

    def url(self) -> str:
        """``http://host:port/metrics``, with an IPv6 host in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"


def parse_listen(value: str | int) -> Address:
    """``"127.0.0.1:9464"``, ``"[::1]:9464"``, ``":9464"`` or ``9464`` as an :class:`Address`.

    A port alone binds :data:`DEFAULT_HOST`.

    Raises:
        ValueError: not one of those forms, or a port outside 0..65535.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        msg = f"expected a str or an int, got {type(value).__name__}"
        raise TypeError(msg)
    if isinstance(value, int):
        host, port_text = DEFAULT_HOST, str(value)
    else:
        host, sep, port_text = value.rpartition(":")
        if not sep:
            msg = "no port"
            raise ValueError(msg)
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        host = host or DEFAULT_HOST
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        msg = f"port {port_text!r} is not in 0..65535"
        raise ValueError(msg)
    return Address(host, int(port_text))


@attrs.frozen(kw_only=True)
class _Listen(options.Validator):
    expected: str = attrs.field(default='a "host:port" str or a port', init=False)

    def accepts(self, value: Any) -> bool:
        return not isinstance(value, bool) and isinstance(value, str | int)

    def problem(self, name: str, value: Any) -> str | None:
        try:
            parse_listen(value)
        except ValueError as exc:
            return f'expected "host:port", ":port" or a port ({exc})'
        return None


@attrs.frozen(kw_only=True)
class MetricsOptions:
    """The keys of ``[jobify.metrics]``.

    Attributes:
        listen: where to serve ``/metrics`` for Prometheus: ``"host:port"``,
            ``":port"`` or a port (the host is then 127.0.0.1); None (the
            default): no endpoint. Port 0 takes a free port, logged at startup.
    """

    listen: str | int | None = attrs.field(
        default=None,
        validator=options.optional(_Listen(example="127.0.0.1:9464")),
    )

    @property
    def address(self) -> Address | None:
        """Where to listen, or None when the endpoint is off."""
        return None if self.listen is None else parse_listen(self.listen)
