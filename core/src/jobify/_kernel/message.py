"""The stored form of a durable job: its arguments and its trigger, as one message.

Arguments are dumped one by one with the task's annotations (through the
configured type adapter) and the whole message is encoded by the configured
serializer. Decoding reverses both; any failure becomes a
:class:`MessageError` that names the job, so a bad row is set aside instead
of crashing startup.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from jobify._kernel.triggers import At, CronTrigger, misfire_from_data, misfire_to_data
from jobify._kernel.values import Cron
from jobify.typeadapter import IdentityAdapter

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from jobify._kernel.runnable import FuncSpec
    from jobify._kernel.triggers import Trigger
    from jobify.serializers import Serializer
    from jobify.typeadapter import Dumper, Loader

__all__ = ("CronState", "Decoded", "MessageCodec", "MessageError", "decode", "encode")

VERSION = 1
_VAR_POS = inspect.Parameter.VAR_POSITIONAL
_VAR_KW = inspect.Parameter.VAR_KEYWORD


class MessageError(ValueError):
    """A job message could not be encoded or decoded."""


class CronState:
    """Counters of a cron job carried in its message."""

    __slots__ = ("failure_count", "offset", "run_count")

    def __init__(self, *, run_count: int, failure_count: int, offset: datetime) -> None:
        self.run_count = run_count
        self.failure_count = failure_count
        self.offset = offset


def _dump_arguments(
    spec: FuncSpec[Any], arguments: dict[str, Any], dumper: Dumper
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    params = spec.params
    hints = spec.annotations
    injected = spec.inject_params
    for name, value in arguments.items():
        if name in injected:
            continue  # filled in at each run, never stored
        tp = hints.get(name, Any)
        kind = params[name].kind
        if kind is _VAR_POS:
            out[name] = [dumper.dump(v, tp) for v in value]
        elif kind is _VAR_KW:
            out[name] = {k: dumper.dump(v, tp) for k, v in value.items()}
        else:
            out[name] = dumper.dump(value, tp)
    return out


def _load_arguments(spec: FuncSpec[Any], data: dict[str, Any], loader: Loader) -> dict[str, Any]:
    out: dict[str, Any] = {}
    params = spec.params
    hints = spec.annotations
    for name, value in data.items():
        if name not in params:
            msg = f"the task has no parameter {name!r} any more"
            raise MessageError(msg)
        tp = hints.get(name, Any)
        kind = params[name].kind
        if kind is _VAR_POS:
            out[name] = tuple(loader.load(v, tp) for v in value)
        elif kind is _VAR_KW:
            out[name] = {k: loader.load(v, tp) for k, v in value.items()}
        else:
            out[name] = value if tp is Any else loader.load(value, tp)
    return out


def encode(
    *,
    spec: FuncSpec[Any],
    arguments: dict[str, Any],
    trigger: Trigger,
    cron_state: CronState | None,
    dumper: Dumper,
    serializer: Serializer,
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """Encode one job's arguments and trigger (and its headers, if any) to bytes."""
    try:
        args = _dump_arguments(spec, arguments, dumper)
    except Exception as exc:
        msg = (
            f"task {spec.task!r}: its arguments cannot be dumped by "
            f"{type(dumper).__name__}: {exc}. Pass values of the annotated types, or make "
            "the task durable=False."
        )
        raise MessageError(msg) from exc
    data: dict[str, Any] = {"v": VERSION, "args": args}
    if isinstance(trigger, CronTrigger):
        cron = trigger.cron
        data["cron"] = {
            "expression": cron.expression,
            "max_runs": cron.max_runs,
            "max_failures": cron.max_failures,
            "misfire_policy": misfire_to_data(cron.misfire_policy),
            "start_date": None if cron.start_date is None else cron.start_date.isoformat(),
            "run_count": 0 if cron_state is None else cron_state.run_count,
            "failure_count": 0 if cron_state is None else cron_state.failure_count,
            "offset": None if cron_state is None else cron_state.offset.isoformat(),
        }
    else:
        data["at"] = trigger.at.isoformat()
    if headers:
        data["h"] = dict(headers)
    try:
        return serializer.dumpb(data)
    except Exception as exc:
        msg = (
            f"task {spec.task!r}: its arguments cannot be stored by "
            f"{type(serializer).__name__}: {exc}. Use a serializer or type adapter that "
            "handles them, or make the task durable=False."
        )
        raise MessageError(msg) from exc


class Decoded(NamedTuple):
    """A decoded message: the call's arguments, its trigger, cron counters and headers."""

    arguments: dict[str, Any]
    trigger: Trigger
    cron_state: CronState | None
    headers: dict[str, str] | None


def decode(
    message: bytes,
    *,
    spec: FuncSpec[Any],
    serializer: Serializer,
    loader: Loader,
) -> tuple[dict[str, Any], Trigger, CronState | None]:
    """Decode a message made by :func:`encode`; raises :class:`MessageError`."""
    arguments, trigger, state, _ = decode_message(
        message, spec=spec, serializer=serializer, loader=loader
    )
    return arguments, trigger, state


def decode_message(
    message: bytes,
    *,
    spec: FuncSpec[Any],
    serializer: Serializer,
    loader: Loader,
) -> Decoded:
    """Decode a message made by :func:`encode`, headers included; raises :class:`MessageError`."""
    return _decode(message, serializer, partial(_load_arguments, spec, loader=loader))


def _passed_arguments(spec: FuncSpec[Any], data: Any, loader: Loader) -> dict[str, Any]:
    """The stored arguments as they are, when loading would return them unchanged."""
    if type(data) is dict and data.keys() <= spec.params.keys():
        return data
    return _load_arguments(spec, data, loader)  # raises what names the bad value


def _decode(
    message: bytes, serializer: Serializer, load_arguments: Callable[[Any], dict[str, Any]]
) -> Decoded:
    try:
        data = serializer.loadb(message)
        if not isinstance(data, dict) or data.get("v") != VERSION:
            msg = f"not a version-{VERSION} job message"
            raise MessageError(msg)  # noqa: TRY301 - re-raised as is below
        arguments = load_arguments(data["args"])
        headers = data.get("h")
        if headers is not None and not isinstance(headers, dict):
            msg = f"headers are {type(headers).__name__}, not a mapping"
            raise MessageError(msg)  # noqa: TRY301 - re-raised as is below
        cron_data = data.get("cron")
        if cron_data is None:
            return Decoded(arguments, At(datetime.fromisoformat(data["at"])), None, headers)
        start = cron_data["start_date"]
        cron = Cron(
            cron_data["expression"],
            max_runs=cron_data["max_runs"],
            max_failures=cron_data["max_failures"],
            misfire_policy=misfire_from_data(cron_data["misfire_policy"]),
            start_date=None if start is None else datetime.fromisoformat(start),
        )
        offset = cron_data["offset"]
        state = CronState(
            run_count=int(cron_data["run_count"]),
            failure_count=int(cron_data["failure_count"]),
            offset=datetime.fromisoformat(offset) if offset else datetime.now().astimezone(),
        )
        return Decoded(arguments, CronTrigger(cron), state, headers)
    except MessageError:
        raise
    except Exception as exc:
        msg = f"{type(exc).__name__}: {exc}"
        raise MessageError(msg) from exc


class MessageCodec:
    """:func:`encode` and :func:`decode` with one app's serializer, dumper and loader."""

    __slots__ = ("dumper", "loader", "serializer")

    def __init__(self, *, serializer: Serializer, dumper: Dumper, loader: Loader) -> None:
        """Encode with ``dumper`` then ``serializer``; decode the other way round."""
        self.serializer = serializer
        self.dumper = dumper
        self.loader = loader

    def encode(
        self,
        spec: FuncSpec[Any],
        arguments: dict[str, Any],
        trigger: Trigger,
        cron_state: CronState | None,
        headers: Mapping[str, str] | None = None,
    ) -> bytes:
        """Encode one job's arguments, trigger, cron counters and headers."""
        return encode(
            spec=spec,
            arguments=arguments,
            trigger=trigger,
            cron_state=cron_state,
            dumper=self.dumper,
            serializer=self.serializer,
            headers=headers,
        )

    def decode(self, message: bytes, spec: FuncSpec[Any]) -> Decoded:
        """Decode a stored message of a job of the task ``spec``; raises :class:`MessageError`."""
        return decode_message(message, spec=spec, serializer=self.serializer, loader=self.loader)

    def decoder(self, spec: FuncSpec[Any]) -> Callable[[bytes], Decoded]:
        """:meth:`decode` for the messages of one task, what depends on the task settled once.

        When loading cannot change an argument (the kernel's pass-through
        loader, or no annotations) and no parameter is ``*args``/``**kwargs``,
        the stored arguments are the call's as they are: a restore of many
        rows of one task makes no per-argument call.
        """
        loader = self.loader
        params = spec.params.values()
        plain = all(p.kind is not _VAR_POS and p.kind is not _VAR_KW for p in params) and (
            isinstance(loader, IdentityAdapter)
            or all(spec.annotations.get(p.name, Any) is Any for p in params)
        )
        load = partial(_passed_arguments if plain else _load_arguments, spec, loader=loader)
        return partial(_decode, serializer=self.serializer, load_arguments=load)

    def encode_result(self, value: Any, annotation: Any) -> bytes:
        """A job's result as bytes (for a kept outcome); raises what the dumper raises."""
        return self.serializer.dumpb(self.dumper.dump(value, annotation))

    def decode_result(self, data: bytes, annotation: Any) -> Any:
        """What :meth:`encode_result` made, back as the annotated type."""
        value = self.serializer.loadb(data)
        return value if annotation is Any else self.loader.load(value, annotation)
