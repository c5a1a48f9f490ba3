"""Who may see the dashboard: the token (or its hash), browser sessions and CSRF tokens.

- **The secret** is a long random token or a password hash (``scrypt$N$r$p$SALT$HASH``,
  made by :func:`hash_token` or ``python -m jobify_web hash``). A script sends the
  token as ``Authorization: Bearer TOKEN``; a browser types it into the login form.
  A hash is checked on a worker thread (scrypt takes tens of milliseconds), and a
  token that passed is remembered by its SHA-256 so the next request costs nothing.
- **Sessions** are signed cookies, not server state, so every worker process of a
  web app accepts the same login: ``ISSUED.NONCE.SIGNATURE``, an HMAC-SHA256 keyed
  by a key derived from the secret. Changing the secret logs everyone out.
- **CSRF**: a browser's POST carries ``HMAC(key, "csrf" + nonce)`` of its session,
  in a form field or an ``X-CSRF-Token`` header. The login form has its own,
  bound to a short-lived cookie, so a foreign page cannot log a browser in either.
  Bearer requests need none: browsers never send that header on their own.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Final

from jobify_web.settings import HASH_PREFIX

__all__ = ("Secret", "Sessions", "hash_token")

_SCRYPT_N: Final = 2**15
_SCRYPT_R: Final = 8
_SCRYPT_P: Final = 1
_MAXMEM: Final = 128 * 1024 * 1024
_REMEMBERED: Final = 32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_token(token: str, *, n: int = _SCRYPT_N, r: int = _SCRYPT_R, p: int = _SCRYPT_P) -> str:
    """A password hash of ``token`` for ``[jobify.web] token`` (scrypt, random salt)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(token.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)
    return f"{HASH_PREFIX}{n}${r}${p}${_b64(salt)}${_b64(digest)}"


class Secret:
    """The configured token or password hash; it checks what a request offers.

    Its ``repr`` hides the value, so it can sit in objects that get logged.
    """

    __slots__ = ("_hash", "_remembered", "_token", "session_key")

    def __init__(self, value: str) -> None:
        """Hold ``value``: a token, or a hash when it starts with ``scrypt$``."""
        self._token: bytes | None = None
        self._hash: tuple[int, int, int, bytes, bytes] | None = None
        if value.startswith(HASH_PREFIX):
            _, n, r, p, salt, digest = value.split("$")
            self._hash = (int(n), int(r), int(p), _unb64(salt), _unb64(digest))
        else:
            self._token = value.encode()
        self._remembered: dict[bytes, None] = {}  # SHA-256 of tokens that passed, oldest first
        self.session_key = hashlib.sha256(b"jobify-web/session\0" + value.encode()).digest()
        """The key that signs sessions and CSRF tokens (derived; the secret is not kept in it)."""

    def __repr__(self) -> str:
        return "<Secret (hidden)>"

    async def check(self, offered: str) -> bool:
        """True when ``offered`` is the token (or matches the hash); constant time."""
        data = offered.encode("utf-8", "surrogateescape")
        if self._token is not None:
            return hmac.compare_digest(data, self._token)
        fingerprint = hashlib.sha256(data).digest()
        if fingerprint in self._remembered:
            return True
        if not 0 < len(data) <= 1024:
            return False
        ok = await asyncio.to_thread(self._matches_hash, data)
        if ok:
            self._remembered[fingerprint] = None
            while len(self._remembered) > _REMEMBERED:
                del self._remembered[next(iter(self._remembered))]
        return ok

    def _matches_hash(self, data: bytes) -> bool:
        assert self._hash is not None  # noqa: S101 - for the type checker
        n, r, p, salt, digest = self._hash
        got = hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=len(digest))
        return hmac.compare_digest(got, digest)


class Sessions:
    """Signed session cookies and the CSRF tokens bound to them."""

    __slots__ = ("_clock", "_key", "max_age")

    def __init__(
        self, key: bytes, *, max_age: float, clock: Callable[[], float] = time.time
    ) -> None:
        """Sign with ``key``; a session lasts ``max_age`` seconds by ``clock``."""
        self._key = key
        self.max_age = max_age
        self._clock = clock

    def _sign(self, purpose: str, *parts: str) -> str:
        message = "|".join((purpose, *parts)).encode()
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest())

    def issue(self) -> str:
        """A new session cookie value."""
        issued, nonce = str(int(self._clock())), secrets.token_urlsafe(18)
        return f"{issued}.{nonce}.{self._sign('session', issued, nonce)}"

    def read(self, cookie: str | None) -> str | None:
        """The nonce of a valid, unexpired session cookie; None otherwise."""
        if not cookie or cookie.count(".") != 2:
            return None
        issued, nonce, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign("session", issued, nonce)):
            return None
        if not issued.isdigit() or self._clock() - int(issued) > self.max_age:
            return None
        return nonce

    def csrf(self, nonce: str) -> str:
        """The CSRF token of the session ``nonce``."""
        return self._sign("csrf", nonce)

    def check_csrf(self, nonce: str, offered: str | None) -> bool:
        """True when ``offered`` is the CSRF token of the session ``nonce``."""
        return offered is not None and hmac.compare_digest(offered, self.csrf(nonce))

    def login_nonce(self) -> str:
        """A nonce for the login form's cookie."""
        return secrets.token_urlsafe(18)

    def login_csrf(self, nonce: str) -> str:
        """The login form's CSRF token for its cookie's ``nonce``."""
        return self._sign("login", nonce)

    def check_login_csrf(self, nonce: str | None, offered: str | None) -> bool:
        """True when the login form's token matches its cookie's nonce."""
        if not nonce or offered is None:
            return False
        return hmac.compare_digest(offered, self.login_csrf(nonce))
