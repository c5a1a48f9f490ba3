"""``jobify.toml``: finding it, reading it, and checking every key before anything runs.

Lookup order: ``$JOBIFY_CONFIG`` (a path; empty means "no file"), else
``./jobify.toml`` (table ``[jobify]``), else ``./pyproject.toml`` (table
``[tool.jobify]``, same schema). Errors start with the file and the table or
key, then say what was expected.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, NoReturn

import attrs

from jobify.exceptions import ConfigError

if sys.version_info >= (3, 11):  # noqa: UP036 - tomli stays declared for older Pythons
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ("CONFIG_ENV", "Choice", "Settings", "find_config")

CONFIG_ENV: Final = "JOBIFY_CONFIG"
TOP_KEYS: Final = (
    "app", "tz", "storage", "serializer", "typeadapter", "cron", "executors",
    "middleware", "outer_middleware", "plugins",
)  # fmt: skip
CAPABILITY_TABLES: Final = ("storage", "serializer", "typeadapter", "cron")
EXECUTOR_NAMES: Final = ("thread", "process")
PLUGINS_KEYS: Final = ("disable",)


def _suggest(key: str, valid: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


@attrs.frozen(kw_only=True)
class Choice:
    """One capability choice: ``use`` (a name, ``"module:attr"`` or False) and options.

    ``use`` is None when a capability table leaves it out: the options are then
    for the default implementation (``[jobify.storage] database = "x.db"``).
    """

    use: str | bool | None
    options: Mapping[str, Any] = attrs.field(factory=dict)
    where: str = "jobify.toml"


def _empty_executors() -> dict[str, Mapping[str, Any]]:
    return {}


@attrs.frozen(kw_only=True)
class Settings:
    """A parsed, checked ``jobify.toml``; the empty ``Settings()`` means no file."""

    source: Path | None = None
    app: str | None = None
    tz: str | None = None
    storage: Choice | None = None
    serializer: Choice | None = None
    typeadapter: Choice | None = None
    cron: Choice | None = None
    executors: Mapping[str, Mapping[str, Any]] = attrs.field(factory=_empty_executors)
    middleware: tuple[Choice, ...] = ()
    outer_middleware: tuple[Choice, ...] = ()
    disable: tuple[str, ...] = ()

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Settings:
        """Read ``path`` (a ``jobify.toml``, or a ``pyproject.toml`` with ``[tool.jobify]``)."""
        file = Path(path)
        if not file.is_file():
            msg = (
                f"{file}: configuration file not found. Create it, or point "
                f"${CONFIG_ENV} / --config at an existing file."
            )
            raise ConfigError(msg)
        try:
            with file.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            msg = f"{file}: not valid TOML: {exc}"
            raise ConfigError(msg) from None
        if file.name == "pyproject.toml":
            table = data.get("tool", {}).get("jobify")
            prefix = "tool.jobify"
        else:
            table = data.get("jobify")
            prefix = "jobify"
            unknown = sorted(set(data) - {"jobify"})
            if unknown:
                msg = (
                    f"{file}: unknown top-level key(s) {', '.join(map(repr, unknown))}; "
                    "everything goes under [jobify]"
                )
                raise ConfigError(msg)
        if table is None:
            msg = f"{file}: no [{prefix}] table; add one (it may be empty)"
            raise ConfigError(msg)
        return cls.from_mapping(table, source=file, prefix=prefix)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, source: Path | None = None, prefix: str = "jobify"
    ) -> Settings:
        """Check a ``[jobify]`` table given as a mapping."""
        where = str(source) if source is not None else "<config>"

        def fail(key: str, what: str) -> NoReturn:
            msg = f"{where} [{key}]: {what}"
            raise ConfigError(msg)

        if not isinstance(data, Mapping):
            fail(prefix, f"expected a table, got {data!r}")
        for key in data:
            if key not in TOP_KEYS:
                fail(
                    prefix,
                    f"unknown key {key!r}. Valid keys: {', '.join(TOP_KEYS)}."
                    + _suggest(key, TOP_KEYS),
                )
        for key in ("app", "tz"):
            if key in data and not isinstance(data[key], str):
                fail(f"{prefix}.{key}", f"expected a string, got {data[key]!r}")
        if "tz" in data:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(data["tz"])
            except (ZoneInfoNotFoundError, ValueError):
                fail(
                    f"{prefix}.tz", f"unknown time zone {data['tz']!r}; use an IANA name like 'UTC'"
                )

        def choice(key: str, table: Any) -> Choice:
            name = f"{prefix}.{key}"
            if not isinstance(table, Mapping):
                fail(name, f"expected a table, got {table!r}")
            if "use" not in table:
                if key not in CAPABILITY_TABLES:  # middleware has no default to configure
                    fail(name, 'missing key "use": the name of the implementation to use')
                # options for the default implementation (e.g. only the SQLite database)
                return Choice(use=None, options=dict(table), where=f"{where} [{name}]")
            use = table["use"]
            if use is True or not isinstance(use, str | bool) or (isinstance(use, str) and not use):
                allowed = 'a registered name, "module:attr"' + (
                    " or false" if key == "storage" else ""
                )
                fail(name, f"use = {use!r}: expected {allowed}")
            if use is False and key != "storage":
                fail(name, "use = false is only valid for [jobify.storage]")
            options = {k: v for k, v in table.items() if k != "use"}
            return Choice(use=use, options=options, where=f"{where} [{name}]")

        caps = {key: choice(key, data[key]) for key in CAPABILITY_TABLES if key in data}

        executors: dict[str, Mapping[str, Any]] = {}
        raw_exec = data.get("executors", {})
        if not isinstance(raw_exec, Mapping):
            fail(f"{prefix}.executors", f"expected a table, got {raw_exec!r}")
        for key, table in raw_exec.items():
            if key not in EXECUTOR_NAMES:
                fail(
                    f"{prefix}.executors",
                    f"unknown executor {key!r}. Valid: {', '.join(EXECUTOR_NAMES)}."
                    + _suggest(key, EXECUTOR_NAMES),
                )
            if not isinstance(table, Mapping):
                fail(f"{prefix}.executors.{key}", f"expected a table, got {table!r}")
            executors[key] = dict(table)

        def chain(key: str) -> tuple[Choice, ...]:
            raw = data.get(key, [])
            if not isinstance(raw, list):
                fail(f"{prefix}.{key}", f"expected an array of tables [[{prefix}.{key}]]")
            return tuple(choice(key, t) for t in raw)

        plugins = data.get("plugins", {})
        if not isinstance(plugins, Mapping):
            fail(f"{prefix}.plugins", f"expected a table, got {plugins!r}")
        for key in plugins:
            if key not in PLUGINS_KEYS:
                fail(
                    f"{prefix}.plugins",
                    f"unknown key {key!r}. Valid keys: {', '.join(PLUGINS_KEYS)}.",
                )
        disable = plugins.get("disable", [])
        if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
            fail(f"{prefix}.plugins.disable", f"expected a list of plugin names, got {disable!r}")

        return cls(
            source=source,
            app=data.get("app"),
            tz=data.get("tz"),
            storage=caps.get("storage"),
            serializer=caps.get("serializer"),
            typeadapter=caps.get("typeadapter"),
            cron=caps.get("cron"),
            executors=executors,
            middleware=chain("middleware"),
            outer_middleware=chain("outer_middleware"),
            disable=tuple(disable),
        )


def find_config(cwd: Path | None = None) -> Path | None:
    """Return the config file an app started in ``cwd`` uses, or None."""
    env = os.environ.get(CONFIG_ENV)
    if env is not None:
        return Path(env) if env.strip() else None
    base = Path.cwd() if cwd is None else cwd
    candidate = base / "jobify.toml"
    if candidate.is_file():
        return candidate
    pyproject = base / "pyproject.toml"
    if pyproject.is_file():
        try:
            with pyproject.open("rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError):
            return None
        if "jobify" in data.get("tool", {}):
            return pyproject
    return None


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Settings of ``path``, or of the file the lookup finds, or empty settings."""
    file = Path(path) if path is not None else find_config()
    return Settings() if file is None else Settings.from_toml(file)
