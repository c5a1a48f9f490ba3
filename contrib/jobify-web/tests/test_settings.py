"""``[jobify.web]``: every key checked, errors that say where, the token never shown."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jobify.exceptions import ConfigError
from jobify_web import WebSettings, hash_token
from jobify_web.auth import Secret
from jobify_web.settings import Listen, parse_listen

WHERE = "[jobify.web]"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


@pytest.fixture
def settings_of(make_app):
    """``settings_of(table, environ)``: the WebSettings of an app whose file has ``table``."""

    def of(table: dict[str, object], environ: dict[str, str] | None = None) -> WebSettings:
        lines = "".join(f"{key} = {_toml(value)}\n" for key, value in table.items())
        app = make_app(toml=f"[jobify.web]\n{lines}")
        return WebSettings.of(app, environ={} if environ is None else environ)

    return of


def test_defaults(settings_of):
    settings = settings_of({})
    assert settings == WebSettings()
    assert settings.listen is None
    assert settings.token is None
    assert settings.read_only is False
    assert settings.page_size == 50
    assert settings.session_max_age == 43200


def test_every_key(settings_of, token):
    table = {
        "listen": "0.0.0.0:9000", "token": token, "read_only": True, "page_size": 200,
        "session_max_age": 600,
    }  # fmt: skip
    settings = settings_of(table)
    assert settings.listen == Listen("0.0.0.0", 9000)  # noqa: S104
    assert not settings.listen.loopback
    assert settings.token == token
    assert (settings.read_only, settings.page_size, settings.session_max_age) == (True, 200, 600)
    assert token not in repr(settings)


def test_the_environment_wins_over_the_file(settings_of, token):
    settings = settings_of({"token": hash_token("x")}, {"JOBIFY_WEB_TOKEN": token})
    assert settings.token == token


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"lisen": ":80"}, "[jobify.web]: unknown key 'lisen'. Valid keys: listen, token"),
        ({"listen": "host:http"}, "listen = 'host:http': expected \"host:port\" with a port"),
        ({"listen": True}, 'listen = True: expected "host:port"'),
        ({"read_only": "yes"}, "read_only = 'yes': expected True or False"),
        ({"page_size": 0}, "page_size = 0: expected an int from 1 to 500"),
        ({"session_max_age": -1}, "session_max_age = -1"),
        ({"token": 12345678901234567}, "token = <hidden>: expected a str, got int"),
    ],
)
def test_bad_values_name_the_file_and_key(settings_of, table, message):
    with pytest.raises(ConfigError) as info:
        settings_of(table)
    assert f".toml {WHERE}" in str(info.value).split(":")[0] + ":"
    assert message in str(info.value)
    assert "12345678901234567" not in str(info.value)


def test_a_bad_token_in_the_environment_names_the_variable_not_the_value(settings_of):
    with pytest.raises(ConfigError, match=r"^\$JOBIFY_WEB_TOKEN: a token must be at least 16"):
        settings_of({}, {"JOBIFY_WEB_TOKEN": "tiny"})


def test_listen_text():
    assert str(parse_listen(":8765")) == "127.0.0.1:8765"
    assert str(parse_listen("[::1]:8765")) == "[::1]:8765"
    assert parse_listen("localhost:1").loopback


async def test_a_hash_checks_the_password_and_nothing_else():
    hashed = hash_token("open sesame", n=2**10)
    assert hashed.startswith("scrypt$1024$8$1$")
    secret = Secret(hashed)
    assert await secret.check("open sesame")
    assert not await secret.check("open sesame!")
    assert not await secret.check(hashed)
    assert not await secret.check("")
    assert "open" not in repr(secret)
    assert hash_token("open sesame") != hash_token("open sesame")  # salted


async def test_a_plain_token_compares_in_constant_time(token):
    secret = Secret(token)
    assert await secret.check(token)
    assert not await secret.check(token[:-1])
    assert not await secret.check(token + "x")


def test_the_hash_command_prints_only_the_hash(settings_of):
    done = subprocess.run(
        [sys.executable, "-m", "jobify_web", "hash", "--stdin"],
        input="my dashboard password\n", capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    printed = done.stdout.strip()
    assert printed.startswith("scrypt$")
    assert "my dashboard password" not in done.stdout + done.stderr
    assert settings_of({"token": printed}).token == printed
