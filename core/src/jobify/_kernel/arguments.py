"""The arguments of ``Jobify(...)``, checked once and held in one frozen object.

:class:`AppArguments` holds the reference's seventeen constructor arguments;
:class:`ExtraArguments` what only :meth:`Jobify.from_config` takes beyond them
(extra hook plugins, autoload, the clock). Each bad value fails here, naming the
argument, the value and what to pass instead.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta, timezone
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import attrs

from jobify._kernel.runner import Alerts
from jobify.storage import Storage

if TYPE_CHECKING:
    from jobify._assembly.config import Settings
    from jobify._kernel.clock import Clock

__all__ = (
    "DEFAULT_CRON",
    "ROLES",
    "UNSET",
    "AppArguments",
    "ExtraArguments",
    "HistoryRetention",
)


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNSET: Final[Any] = _Sentinel("UNSET")
"""``Jobify(storage=...)`` not given: the configured storage (or the default)."""
DEFAULT_CRON: Final[Any] = _Sentinel("<the configured cron parser>")
"""``Jobify(cron_factory=...)`` not given: the configured cron parser."""


def _storage(_inst: Any, _attr: attrs.Attribute[Any], value: Any) -> None:
    if value is UNSET or value is False or (value is not True and isinstance(value, Storage)):
        return
    msg = f"Jobify(storage=...): expected a Storage instance or False, got {value!r}"
    raise TypeError(msg)


def _tz(_inst: Any, _attr: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, ZoneInfo | timezone):
        msg = f"Jobify(tz=...): expected a zoneinfo.ZoneInfo, got {value!r}"
        raise TypeError(msg)


def _callable(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if value is not DEFAULT_CRON and not callable(value):
        msg = f"Jobify({attr.name}=...): expected a callable, got {value!r}"
        raise TypeError(msg)


def uuid4_hex() -> str:
    """``uuid.uuid4().hex`` without making a ``UUID`` (a job id per push: the hot path).

    The random bits come from ``os.urandom``, as uuid4's do, read 256 ids at
    a time: one system call per id was a sixth of a storage-off push. The pool
    is a list (``pop`` and ``extend`` are atomic: apps on several threads may
    share it); a forked child empties it, so no two processes share an id.
    """
    try:
        return _ID_POOL.pop()
    except IndexError:
        _ID_POOL.extend(_new_ids())
        return _ID_POOL.pop()


def _new_ids() -> list[str]:
    block = os.urandom(16 * _IDS_PER_READ)
    clear, set_ = _UUID_CLEAR, _UUID_SET  # version 4, RFC 4122 variant, as uuid4
    return [
        f"{(int.from_bytes(block[i : i + 16], 'big') & clear) | set_:032x}"
        for i in range(0, len(block), 16)
    ]


_UUID_CLEAR: Final = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_SET: Final = (0x8000 << 48) | (4 << 76)
_IDS_PER_READ: Final = 256
_ID_POOL: Final[list[str]] = []
os.register_at_fork(after_in_child=_ID_POOL.clear)


def _as_tuple(value: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class AppArguments:
    """``Jobify(...)``'s arguments, as given (``UNSET`` / ``DEFAULT_CRON`` when not)."""

    tz: ZoneInfo | None = attrs.field(validator=_tz)
    state: Mapping[str, Any] | None
    dumper: Any
    loader: Any
    storage: Any = attrs.field(validator=_storage)
    lifespan: Any
    serializer: Any
    middleware: Sequence[Any] | None
    outer_middleware: Sequence[Any] | None
    cron_factory: Callable[[str], Any] = attrs.field(validator=_callable)
    loop_factory: Callable[[], asyncio.AbstractEventLoop] = attrs.field(validator=_callable)
    exception_handlers: Mapping[type[BaseException], Callable[..., Any]] | None
    threadpool_executor: Any
    processpool_executor: Any
    route_class: type[Any]
    plugins: tuple[Any, ...] = attrs.field(converter=_as_tuple)
    uuid_generator: Callable[[], Any] = attrs.field(validator=_callable)

    def new_job_id(self) -> str:
        """A new job id from ``uuid_generator`` (its ``hex`` when it has one, as a uuid does)."""
        if self.uuid_generator is uuid.uuid4:
            return uuid4_hex()
        value = self.uuid_generator()
        hex_ = getattr(value, "hex", None)
        return hex_ if isinstance(hex_, str) else str(value)


ROLES: Final = ("scheduler", "producer")


def _role(_inst: Any, _attr: attrs.Attribute[Any], value: Any) -> None:
    if value not in ROLES:
        msg = (
            f"Jobify.from_config(role=...): expected 'scheduler' (stores and runs jobs) or "
            f"'producer' (only stores them; a scheduler on the same storage runs them), "
            f"got {value!r}"
        )
        raise ValueError(msg)


def _seconds(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        msg = f"Jobify.from_config({attr.name}=...): expected seconds >= 0, got {value!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class HistoryRetention:
    """How long run history is kept: by age, and by count per job."""

    max_age: float = attrs.field(default=30 * 86400.0, validator=_seconds)
    """Seconds a run record is kept (30 days)."""
    max_runs_per_job: int = 1000
    """The newest records kept per job."""


@attrs.frozen(kw_only=True)
class ExtraArguments:
    """What :meth:`Jobify.from_config` takes beyond ``Jobify(...)``'s arguments."""

    hook_plugins: tuple[object, ...] = ()
    autoload: bool = True
    clock: Clock | None = None
    role: str = attrs.field(default="scheduler", validator=_role)
    shutdown_grace: float = attrs.field(default=5.0, validator=_seconds)
    results_ttl: float = attrs.field(default=86400.0, validator=_seconds)
    history: HistoryRetention | None = None
    alerts: Alerts = attrs.field(factory=Alerts)
    json_logs: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, **given: Any) -> ExtraArguments:
        """The file's values (``[jobify]``, ``.history``, ``.alerts``), then ``given``'s.

        A ``given`` value of None means "as the file says".
        """
        values: dict[str, Any] = {}
        for key in ("role", "shutdown_grace", "results_ttl"):
            if getattr(settings, key) is not None:
                values[key] = getattr(settings, key)
        history = settings.history
        if history is not None and history.enabled:
            values["history"] = HistoryRetention(
                max_age=history.max_age, max_runs_per_job=history.max_runs_per_job
            )
        alerts = settings.alerts
        if alerts is not None:
            values["alerts"] = Alerts(
                start_grace=_delta(alerts.start_grace), run_grace=_delta(alerts.run_grace)
            )
        if settings.logging is not None:
            values["json_logs"] = settings.logging.json
        values.update({key: value for key, value in given.items() if value is not None})
        return cls(**values)


def _delta(seconds: float | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)
