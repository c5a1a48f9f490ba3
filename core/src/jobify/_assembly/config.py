"""``jobify.toml``: finding it, reading it, and checking every key before anything runs.

Lookup order: ``$JOBIFY_CONFIG`` (a path; empty means "no file"), else
``./jobify.toml`` (table ``[jobify]``), else ``./pyproject.toml`` (table
``[tool.jobify]``, same schema). Errors start with the file and the table or
key, then say what was expected.

Each table is one attrs class whose fields are its keys, checked by the
validators of :mod:`jobify.options` (as tox's ``ConfigSet`` declares each
key): :class:`Settings` is ``[jobify]``, :class:`Choice` a capability table
(``[jobify.storage]``, ``[[jobify.middleware]]``, ...), :class:`Executors`
``[jobify.executors]`` and :class:`Plugins` ``[jobify.plugins]``. A
capability's own options (``database``, ``max_workers``) are the plugin's to
check; assembly hands them over as they are.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs

from jobify import options
from jobify.exceptions import ConfigError

if sys.version_info >= (3, 11):  # noqa: UP036 - tomli stays declared for older Pythons
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = (
    "CONFIG_ENV",
    "Alerts",
    "Choice",
    "Executors",
    "History",
    "Logging",
    "PluginTable",
    "Plugins",
    "Settings",
    "find_config",
)

CONFIG_ENV: Final = "JOBIFY_CONFIG"
TOP_KEYS: Final = (
    "app", "tz", "storage", "serializer", "typeadapter", "cron", "executors",
    "middleware", "outer_middleware", "plugins", "on_start", "role", "shutdown_grace",
    "results_ttl", "history", "alerts", "logging",
)  # fmt: skip
PLUGIN_TABLES: Final = ("web",)
"""Tables the kernel passes, unchecked, to the plugin distribution that reads them.

``[jobify.web]`` is jobify-web's (its README lists the keys; it checks them when
the app starts). A stopgap: once plugins can claim a table through a hook, the
plugin claims its own and this list goes.
"""
CAPABILITY_TABLES: Final = ("storage", "serializer", "typeadapter", "cron")
CHAINS: Final = ("middleware", "outer_middleware")

T = TypeVar("T")


def _table(data: Any, where: str, keys: Sequence[str], kind: str = "key") -> Mapping[str, Any]:
    """``data`` as a table whose keys are all among ``keys``."""
    if not isinstance(data, Mapping):
        msg = f"{where}: expected a table, got {data!r}"
        raise ConfigError(msg)
    for key in data:
        if key not in keys:
            msg = f"{where}: {options.unknown(kind, key, keys)}"
            raise ConfigError(msg)
    return data


def _build(cls: type[T], where: str, **values: Any) -> T:
    """``cls(**values)``; a value its validators refuse fails at ``where`` and its key."""
    try:
        return cls(**values)
    except options.OptionError as exc:
        raise ConfigError(exc.at(where)) from None


@attrs.frozen(kw_only=True)
class _Use(options.Validator):
    """``use``: a registered name or ``"module:attr"``; ``false`` where storage may be off."""

    off: bool = True
    expected: str = attrs.field(init=False)

    @expected.default
    def _expected(self) -> str:
        return 'a registered name, "module:attr"' + (" or false" if self.off else "")

    def accepts(self, value: Any) -> bool:
        return (isinstance(value, str) and bool(value)) or (self.off and value is False)


@attrs.frozen(kw_only=True)
class Choice:
    """A capability table: ``use`` (a name, ``"module:attr"`` or False) and options.

    ``[jobify.storage]``, ``[jobify.serializer]``, ``[jobify.typeadapter]``,
    ``[jobify.cron]`` and each ``[[jobify.middleware]]`` and
    ``[[jobify.outer_middleware]]``; ``where`` names the file and table.
    ``use`` is None when a capability table leaves it out: the options are
    then for the default implementation (``[jobify.storage] database = "x.db"``).
    """

    use: str | bool | None = attrs.field(validator=options.optional(_Use()))
    options: Mapping[str, Any] = attrs.field(factory=dict)
    where: str = "jobify.toml"

    @classmethod
    def from_table(cls, data: Any, *, where: str, capability: str) -> Choice:
        """Check one capability table; ``where`` is ``file [table]``."""
        if not isinstance(data, Mapping):
            msg = f"{where}: expected a table, got {data!r}"
            raise ConfigError(msg)
        if "use" not in data:
            if capability == "middleware":  # middleware has no default to configure
                msg = f'{where}: missing key "use": the name of the implementation to use'
                raise ConfigError(msg)
            # options for the default implementation (e.g. only the SQLite database)
            return cls(use=None, options=dict(data), where=where)
        use = data["use"]
        if use is False and capability != "storage":
            msg = f"{where}: use = false is only valid for [jobify.storage]"
            raise ConfigError(msg)
        try:
            _Use(off=capability == "storage").validate(cls.__name__, "use", use)
        except options.OptionError as exc:
            raise ConfigError(exc.at(where)) from None
        rest = {k: v for k, v in data.items() if k != "use"}
        return cls(use=use, options=rest, where=where)


@attrs.frozen(kw_only=True)
class Executors:
    """``[jobify.executors]``: the options of the ``thread`` and ``process`` pools."""

    thread: Mapping[str, Any] | None = attrs.field(
        default=None, validator=options.optional(options.mapping(noun="a table"))
    )
    process: Mapping[str, Any] | None = attrs.field(
        default=None, validator=options.optional(options.mapping(noun="a table"))
    )

    @classmethod
    def from_table(cls, data: Any, *, where: str) -> Executors:
        """Check ``[jobify.executors]``; ``where`` is ``file [table]``."""
        names = [a.name for a in attrs.fields(cls)]
        return _build(cls, where, **_table(data, where, names, kind="executor"))

    def as_dict(self) -> dict[str, Mapping[str, Any]]:
        """The options of each pool that has a table."""
        pools = {"thread": self.thread, "process": self.process}
        return {kind: dict(table) for kind, table in pools.items() if table is not None}


@attrs.frozen(kw_only=True)
class Plugins:
    """``[jobify.plugins]``: which installed plugin distributions to leave out."""

    disable: Sequence[str] = attrs.field(default=(), validator=options.names(noun="plugin names"))

    @classmethod
    def from_table(cls, data: Any, *, where: str) -> Plugins:
        """Check ``[jobify.plugins]``; ``where`` is ``file [table]``."""
        names = [a.name for a in attrs.fields(cls)]
        return _build(cls, where, **_table(data, where, names))


@attrs.frozen(kw_only=True)
class History:
    """``[jobify.history]``: run history (a record per run) and how long it is kept."""

    enabled: bool = attrs.field(default=True, validator=options.flag())
    max_age: float = attrs.field(default=30 * 86400.0, validator=options.seconds())
    max_runs_per_job: int = attrs.field(default=1000, validator=options.positive_int())

    @classmethod
    def from_table(cls, data: Any, *, where: str) -> History:
        """Check ``[jobify.history]``; ``where`` is ``file [table]``."""
        names = [a.name for a in attrs.fields(cls)]
        return _build(cls, where, **_table(data, where, names))


@attrs.frozen(kw_only=True)
class Alerts:
    """``[jobify.alerts]``: a cron run is missed past these many seconds (none: no alert)."""

    start_grace: float | None = attrs.field(
        default=None, validator=options.optional(options.seconds())
    )
    run_grace: float | None = attrs.field(
        default=None, validator=options.optional(options.seconds())
    )

    @classmethod
    def from_table(cls, data: Any, *, where: str) -> Alerts:
        """Check ``[jobify.alerts]``; ``where`` is ``file [table]``."""
        names = [a.name for a in attrs.fields(cls)]
        return _build(cls, where, **_table(data, where, names))


@attrs.frozen(kw_only=True)
class Logging:
    """``[jobify.logging]``: ``json = true`` writes the ``jobify`` log as JSON lines."""

    json: bool = attrs.field(default=False, validator=options.flag())

    @classmethod
    def from_table(cls, data: Any, *, where: str) -> Logging:
        """Check ``[jobify.logging]``; ``where`` is ``file [table]``."""
        names = [a.name for a in attrs.fields(cls)]
        return _build(cls, where, **_table(data, where, names))


@attrs.frozen(kw_only=True)
class PluginTable:
    """A table a plugin distribution reads and checks itself (:data:`PLUGIN_TABLES`)."""

    options: Mapping[str, Any]
    where: str
    """``file [table]``, to start the plugin's error messages."""


def _empty_executors() -> dict[str, Mapping[str, Any]]:
    return {}


def _empty_plugin_tables() -> dict[str, PluginTable]:
    return {}


@attrs.frozen(kw_only=True)
class Settings:
    """A parsed, checked ``jobify.toml`` (its ``[jobify]`` table); ``Settings()`` means no file."""

    source: Path | None = None
    app: str | None = attrs.field(
        default=None, validator=options.optional(options.module_attr(example="package.module:app"))
    )
    on_start: str | None = attrs.field(
        default=None,
        validator=options.optional(options.module_attr(example="package.module:schedule_jobs")),
    )
    tz: str | None = attrs.field(
        default=None, validator=options.optional(options.time_zone(instances=False))
    )
    role: str | None = attrs.field(
        default=None, validator=options.optional(options.one_of(("scheduler", "producer")))
    )
    shutdown_grace: float | None = attrs.field(
        default=None, validator=options.optional(options.seconds(zero=True))
    )
    results_ttl: float | None = attrs.field(
        default=None, validator=options.optional(options.seconds(zero=True))
    )
    history: History | None = None
    alerts: Alerts | None = None
    logging: Logging | None = None
    storage: Choice | None = None
    serializer: Choice | None = None
    typeadapter: Choice | None = None
    cron: Choice | None = None
    executors: Mapping[str, Mapping[str, Any]] = attrs.field(factory=_empty_executors)
    middleware: tuple[Choice, ...] = ()
    outer_middleware: tuple[Choice, ...] = ()
    disable: tuple[str, ...] = ()
    plugin_tables: Mapping[str, PluginTable] = attrs.field(factory=_empty_plugin_tables)
    """The tables of :data:`PLUGIN_TABLES` the file has, by key (``"web"``)."""

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
        file = str(source) if source is not None else "<config>"

        def where(key: str | None = None) -> str:
            return f"{file} [{prefix}{'.' + key if key else ''}]"

        data = _table(data, where(), (*TOP_KEYS, *PLUGIN_TABLES))
        caps = {
            key: Choice.from_table(data[key], where=where(key), capability=key)
            for key in CAPABILITY_TABLES
            if key in data
        }
        chains: dict[str, tuple[Choice, ...]] = {}
        for key in CHAINS:
            raw = data.get(key, [])
            if not isinstance(raw, list):
                msg = f"{where(key)}: expected an array of tables [[{prefix}.{key}]]"
                raise ConfigError(msg)
            chains[key] = tuple(
                Choice.from_table(t, where=where(key), capability="middleware") for t in raw
            )
        executors = Executors.from_table(data.get("executors", {}), where=where("executors"))
        plugins = Plugins.from_table(data.get("plugins", {}), where=where("plugins"))
        tables: dict[str, Any] = {
            key: cls_.from_table(data[key], where=where(key))
            for key, cls_ in (("history", History), ("alerts", Alerts), ("logging", Logging))
            if key in data
        }
        plugin_tables: dict[str, PluginTable] = {}
        for key in PLUGIN_TABLES:
            if key in data:
                if not isinstance(data[key], Mapping):
                    msg = f"{where(key)}: expected a table, got {data[key]!r}"
                    raise ConfigError(msg)
                plugin_tables[key] = PluginTable(options=dict(data[key]), where=where(key))
        return _build(
            cls,
            where(),
            source=source,
            app=data.get("app"),
            on_start=data.get("on_start"),
            tz=data.get("tz"),
            role=data.get("role"),
            shutdown_grace=data.get("shutdown_grace"),
            results_ttl=data.get("results_ttl"),
            **tables,
            **caps,
            **chains,
            executors=executors.as_dict(),
            disable=tuple(plugins.disable),
            plugin_tables=plugin_tables,
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
