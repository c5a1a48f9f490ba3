"""One vocabulary for checking options: of plugin factories and of ``jobify.toml`` tables.

A plugin factory is an attrs class whose fields are its options; each field
names its check from this module, and checks compose as attrs validators do
(a list, ``attrs.validators.and_``, :func:`optional`)::

    import attrs
    from jobify import options

    @attrs.frozen(kw_only=True)
    class RedisStorage(Storage):
        url: str = attrs.field(validator=options.text(min_length=1))
        pool_size: int = attrs.field(default=4, validator=options.positive_int(example=4))
        timeout: float = attrs.field(default=5.0, validator=options.seconds(example=5.0))
        mode: str = attrs.field(default="fast", validator=options.one_of(("fast", "safe")))

Every check fails the same way, with the house message: *where* (the class and
the option as it was called), *what* (the value, ``!r``), then *the fix*::

    RedisStorage(pool_size=0): expected an int >= 1; e.g. pool_size=4
    RedisStorage(mode='fsat'): expected one of 'fast', 'safe'. Did you mean 'fast'?

The error is an :class:`OptionTypeError` (a wrong type, also a ``TypeError``)
or an :class:`OptionValueError` (a wrong value, also a ``ValueError``). When
the options come from ``jobify.toml``, assembly puts the file and table in
front::

    jobify.toml [jobify.storage]: RedisStorage(pool_size=0): expected an int >= 1; e.g. pool_size=4

and the kernel's own tables, checked with the same validators, name the key
(:meth:`OptionError.at`)::

    jobify.toml [jobify] tz = 'Mars/Olympus': unknown time zone 'Mars/Olympus'; use an IANA ...

A factory that is a function rather than an attrs class declares the attrs
class holding its options with :func:`declare`, so that assembly (and with it
``jobify check``) can check them before the factory is first called; this is
how executor pools, which are built only when a task first needs one, are
checked at startup. :func:`did_you_mean` and :func:`unknown` are the one place
that suggests a name, for plugin code and the kernel alike.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import math
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any, ClassVar, Final, TypeVar

import attrs

from jobify.exceptions import BaseJobifyError

__all__ = (
    "OptionError",
    "OptionTypeError",
    "OptionValueError",
    "Validator",
    "bind",
    "changed",
    "declare",
    "did_you_mean",
    "fail",
    "flag",
    "function",
    "identifier",
    "instance_of",
    "integer",
    "load",
    "mapping",
    "module_attr",
    "names",
    "number",
    "one_of",
    "optional",
    "options_class",
    "path",
    "positive_int",
    "seconds",
    "text",
    "time_zone",
    "to_path",
    "to_time_zone",
    "unknown",
)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

OPTIONS_ATTR: Final = "__jobify_options__"
"""Attribute :func:`declare` sets on a factory: the attrs class of its options."""


class _Unset:
    """No example given (None is an example)."""

    def __repr__(self) -> str:
        return "<unset>"


UNSET: Final = _Unset()


# --- errors ------------------------------------------------------------------------


class OptionError(BaseJobifyError):
    """An option has a value its owner cannot use.

    ``str(error)`` is ``Owner(name=value): what; fix``; :meth:`at` renders the
    same error at a place in a config file.

    Attributes:
        owner: who takes the option, e.g. ``"SQLiteStorage"``.
        name: the option, as the caller spells it.
        value: the value given.
        problem: what is wrong and how to fix it.
    """

    def __init__(self, owner: str, name: str, value: Any, problem: str) -> None:
        self.owner = owner
        self.name = name
        self.value = value
        self.problem = problem
        super().__init__(f"{owner}({name}={value!r}): {problem}")

    def at(self, where: str) -> str:
        """The message at ``where``, e.g. ``jobify.toml [jobify.storage] timeout = -1: ...``."""
        return f"{where} {self.name} = {self.value!r}: {self.problem}"


class OptionTypeError(OptionError, TypeError):
    """An option's value has the wrong type."""


class OptionValueError(OptionError, ValueError):
    """An option's value has the right type but cannot be used."""


def fail(
    owner: str, name: str, value: Any, problem: str, *, kind: type[OptionError] = OptionValueError
) -> OptionError:
    """Return the house error for ``owner(name=value)``, for checks this module lacks.

    Use it in converters and in plain classes; raise what it returns::

        raise options.fail("QueueMiddleware", "maxsize", maxsize, "cannot be combined ...")
    """
    return kind(owner, name, value, problem)


def did_you_mean(word: object, choices: Iterable[object]) -> str:
    """``" Did you mean 'x'?"`` for the choice closest to ``word``, or ``""``.

    The text starts with a space, to follow the sentence that named the valid
    choices. Only string choices are compared.
    """
    close = difflib.get_close_matches(str(word), [c for c in choices if isinstance(c, str)], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def unknown(kind: str, word: object, valid: Collection[str]) -> str:
    """``unknown key 'x'. Valid keys: a, b. Did you mean 'a'?`` (``kind`` is ``key``)."""
    listed = ", ".join(valid) or "none"
    return f"unknown {kind} {word!r}. Valid {kind}s: {listed}.{did_you_mean(word, valid)}"


# --- the validators ----------------------------------------------------------------


def _or_none(expected: str) -> str:
    head, sep, tail = expected.rpartition(" or ")
    return f"{head}, {tail} or None" if sep else f"{expected} or None"


def _type_name(value: Any) -> str:
    return type(value).__name__


@attrs.frozen(kw_only=True)
class Validator:
    """Base of this module's checks: an attrs validator that explains a bad value.

    Subclasses say what they expect (``expected``, for a value of the wrong
    type) and implement :meth:`problem` for a value of the right type.

    Attributes:
        fix: how to fix a bad value, appended after ``;``.
        example: a good value, shown as ``e.g. name=example``.
        allow_none: None passes (see :func:`optional`).
    """

    fix: str = ""
    example: Any = UNSET
    allow_none: bool = False

    problem_kind: ClassVar[type[OptionError]] = OptionValueError
    """What a :meth:`problem` raises; checks of a container's items raise a type error."""

    expected: str = attrs.field(default="", init=False)

    def __call__(self, inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Check ``value`` of ``attribute`` on ``inst`` (the attrs validator protocol)."""
        self.validate(type(inst).__name__, attribute.alias or attribute.name, value)

    def validate(self, owner: str, name: str, value: Any) -> None:
        """Check the option ``name`` of ``owner``; for classes that are not attrs classes.

        Raises:
            OptionTypeError: ``value`` has the wrong type.
            OptionValueError: ``value`` cannot be used.
        """
        if value is None and self.allow_none:
            return
        if not self.accepts(value):
            expected = _or_none(self.expected) if self.allow_none else self.expected
            what = f"expected {expected}, got {_type_name(value)}"
            raise OptionTypeError(owner, name, value, self._explain(name, what))
        problem = self.problem(name, value)
        if problem is not None:
            hint = self.hint(value)
            raise self.problem_kind(owner, name, value, self._explain(name, problem, hint))

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` has a type this check can look at."""
        return True

    def problem(self, name: str, value: Any) -> str | None:
        """What is wrong with ``value`` (of an accepted type), or None."""
        return None

    def hint(self, value: Any) -> str:
        """A last sentence for a bad value, such as :func:`did_you_mean`'s."""
        return ""

    def _explain(self, name: str, what: str, hint: str = "") -> str:
        parts = [what]
        if self.fix:
            parts.append(self.fix)
        if self.example is not UNSET:
            parts.append(f"e.g. {name}={self.example!r}")
        return "; ".join(parts) + (f".{hint}" if hint else "")


def optional(validator: Callable[[Any, attrs.Attribute[Any], Any], None]) -> Any:
    """Let None pass ``validator``; the message then says ``... or None``."""
    if isinstance(validator, Validator):
        return attrs.evolve(validator, allow_none=True)
    return attrs.validators.optional(validator)


@attrs.frozen(kw_only=True)
class _Flag(Validator):
    expected: str = attrs.field(default="True or False", init=False)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool)


def flag(*, fix: str = "") -> Validator:
    """``True`` or ``False``, nothing else (not 0, 1 or ``"yes"``)."""
    return _Flag(fix=fix)


@attrs.frozen(kw_only=True)
class _Integer(Validator):
    minimum: int | None = None
    maximum: int | None = None
    expected: str = attrs.field(default="an int", init=False)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def problem(self, name: str, value: Any) -> str | None:
        low, high = self.minimum, self.maximum
        if (low is None or value >= low) and (high is None or value <= high):
            return None
        if low is not None and high is not None:
            return f"expected an int from {low} to {high}"
        return f"expected an int >= {low}" if low is not None else f"expected an int <= {high}"


def integer(
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    fix: str = "",
    example: Any = UNSET,
) -> Validator:
    """An ``int`` (not a ``bool``, not ``"4"``) from ``minimum`` to ``maximum``."""
    return _Integer(minimum=minimum, maximum=maximum, fix=fix, example=example)


def positive_int(*, fix: str = "", example: Any = UNSET) -> Validator:
    """An ``int >= 1``: a count of workers, connections, slots."""
    return _Integer(minimum=1, fix=fix, example=example)


@attrs.frozen(kw_only=True)
class _Number(Validator):
    minimum: float = 0
    inclusive: bool = True
    unit: str = ""
    expected: str = attrs.field(init=False)

    @expected.default
    def _expected(self) -> str:
        return f"{self.unit} as a number" if self.unit else "a number"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    def problem(self, name: str, value: Any) -> str | None:
        low = value >= self.minimum if self.inclusive else value > self.minimum
        if low and value < math.inf:
            return None
        of = f" of {self.unit}" if self.unit else ""
        return f"expected a finite number{of} {'>=' if self.inclusive else '>'} {self.minimum}"


def number(
    *,
    minimum: float = 0,
    inclusive: bool = True,
    fix: str = "",
    example: Any = UNSET,
) -> Validator:
    """A finite ``int`` or ``float`` (not a ``bool``), ``>= minimum`` (``>`` if not inclusive)."""
    return _Number(minimum=minimum, inclusive=inclusive, fix=fix, example=example)


def seconds(*, zero: bool = False, fix: str = "", example: Any = UNSET) -> Validator:
    """A duration in seconds: a finite number ``> 0`` (``>= 0`` with ``zero=True``)."""
    return _Number(minimum=0, inclusive=zero, unit="seconds", fix=fix, example=example)


@attrs.frozen(kw_only=True)
class _Text(Validator):
    min_length: int = 0
    max_length: int | None = None
    printable: bool = False
    expected: str = attrs.field(default="a str", init=False)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str)

    def problem(self, name: str, value: Any) -> str | None:
        too_long = self.max_length is not None and len(value) > self.max_length
        fits = len(value) >= self.min_length and not too_long
        if fits and (value.isprintable() or not self.printable):
            return None
        kind = "printable characters" if self.printable else "characters"
        if self.max_length is None:
            return f"expected at least {self.min_length} {kind}"
        return f"expected {self.min_length} to {self.max_length} {kind}"


def text(
    *,
    min_length: int = 0,
    max_length: int | None = None,
    printable: bool = False,
    fix: str = "",
    example: Any = UNSET,
) -> Validator:
    """A ``str`` of ``min_length`` to ``max_length`` characters (all printable if asked)."""
    return _Text(
        min_length=min_length, max_length=max_length, printable=printable, fix=fix, example=example
    )


@attrs.frozen(kw_only=True)
class _Identifier(Validator):
    kind: str = "identifier"
    lowercase: bool = False
    max_length: int | None = None
    reserved_prefix: str = ""
    default: str = ""
    expected: str = attrs.field(default="a str", init=False)
    pattern: re.Pattern[str] = attrs.field(init=False)

    @pattern.default
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(self.describe_pattern())

    def describe_pattern(self) -> str:
        letters = "a-z" if self.lowercase else "A-Za-z"
        rest = "*" if self.max_length is None else f"{{0,{self.max_length - 1}}}"
        return f"[{letters}_][{letters}0-9_]{rest}"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str)

    def problem(self, name: str, value: Any) -> str | None:
        reserved = self.reserved_prefix and value.startswith(self.reserved_prefix)
        if self.pattern.fullmatch(value) and not reserved:
            return None
        most = f"at most {self.max_length} " if self.max_length is not None else ""
        case = "lowercase " if self.lowercase else ""
        prefix = f" or {self.reserved_prefix!r}" if self.reserved_prefix else ""
        return (
            f"not a plain {self.kind}. Use {most}{case}ASCII letters, digits and underscores, "
            f"not starting with a digit{prefix} ({self.describe_pattern()}), "
            f"e.g. {name}={self.suggest(value)!r}"
        )

    def suggest(self, value: str) -> str:
        """The nearest identifier to ``value``: other characters become ``_``."""
        guess = value.lower() if self.lowercase else value
        guess = re.sub(r"[^A-Za-z0-9_]", "_", guess)
        if self.reserved_prefix:
            guess = guess.removeprefix(self.reserved_prefix)
        if not guess:
            return self.default
        if guess[0].isdigit():
            guess = f"_{guess}"
        return guess if self.max_length is None else guess[: self.max_length]


def identifier(
    *,
    kind: str = "identifier",
    lowercase: bool = False,
    max_length: int | None = None,
    reserved_prefix: str = "",
    default: str = "",
) -> Validator:
    """An ASCII identifier (``[A-Za-z_][A-Za-z0-9_]*``), e.g. an SQL table name.

    The message suggests the nearest identifier, or ``default`` when nothing
    of the value is left.

    Args:
        kind: what it names, for the message: ``"SQL identifier"``, ``"schema name"``.
        lowercase: only lowercase letters.
        max_length: characters at most.
        reserved_prefix: a prefix that is refused (PostgreSQL's ``pg_``).
        default: the suggestion for a value with nothing usable in it.
    """
    return _Identifier(
        kind=kind,
        lowercase=lowercase,
        max_length=max_length,
        reserved_prefix=reserved_prefix,
        default=default,
    )


def _show(choice: Any, label: str | None) -> str:
    return f"{choice!r} ({label})" if label else repr(choice)


@attrs.frozen(kw_only=True)
class _OneOf(Validator):
    choices: Mapping[Any, str | None]
    noun: str = ""
    expected: str = attrs.field(init=False)

    @expected.default
    def _expected(self) -> str:
        head = f"{self.noun}, one of" if self.noun else "one of"
        return f"{head} {self.listed()}"

    def listed(self) -> str:
        """The choices, as the message lists them."""
        return ", ".join(_show(c, label) for c, label in self.choices.items())

    def accepts(self, value: Any) -> bool:
        kinds = {type(c) for c in self.choices}
        return type(value) in kinds or (
            not isinstance(value, bool) and any(isinstance(value, k) for k in kinds)
        )

    def problem(self, name: str, value: Any) -> str | None:
        if value in self.choices:
            return None
        head = f"not {self.noun}; use one of" if self.noun else "expected one of"
        return f"{head} {self.listed()}"

    def hint(self, value: Any) -> str:
        return did_you_mean(value, self.choices)


def one_of(
    choices: Iterable[Any] | Mapping[Any, str],
    *,
    noun: str = "",
    fix: str = "",
) -> Validator:
    """One of ``choices``; a near miss gets "did you mean".

    Args:
        choices: the valid values, or a mapping of each to a label shown beside
            it (``{0: "msgpack.Timestamp", 1: "float"}``).
        noun: what a choice is, e.g. ``"a start method name"``: the message
            reads ``not a start method name; use one of ...``.
        fix: appended, e.g. ``"'spawn' is the default"``.
    """
    labels: dict[Any, str | None] = (
        dict(choices) if isinstance(choices, Mapping) else dict.fromkeys(choices)
    )
    return _OneOf(choices=labels, noun=noun, fix=fix)


@attrs.frozen(kw_only=True)
class _Instance(Validator):
    kinds: type | tuple[type, ...]
    noun: str
    expected: str = attrs.field(init=False)

    @expected.default
    def _expected(self) -> str:
        return self.noun

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.kinds)


def instance_of(kinds: type | tuple[type, ...], *, noun: str, fix: str = "") -> Validator:
    """An instance of ``kinds``; ``noun`` names it in the message (``"an adaptix.Retort"``)."""
    return _Instance(kinds=kinds, noun=noun, fix=fix)


@attrs.frozen(kw_only=True)
class _Function(Validator):
    expected: str = attrs.field(default="a callable", init=False)

    def accepts(self, value: Any) -> bool:
        return callable(value)


def function(*, fix: str = "") -> Validator:
    """A callable: a hook, a factory, a default function."""
    return _Function(fix=fix)


@attrs.frozen(kw_only=True)
class _Mapping(Validator):
    problem_kind: ClassVar[type[OptionError]] = OptionTypeError

    keys: type | tuple[type, ...] | None = None
    callable_values: bool = False
    noun: str = "a mapping"
    expected: str = attrs.field(init=False)

    @expected.default
    def _expected(self) -> str:
        return self.noun

    def accepts(self, value: Any) -> bool:
        return isinstance(value, Mapping)

    def problem(self, name: str, value: Any) -> str | None:
        for key, item in value.items():
            bad_key = self.keys is not None and (
                not isinstance(key, self.keys) or isinstance(key, bool)
            )
            if bad_key or (self.callable_values and not callable(item)):
                keys = self.keys.__name__ if isinstance(self.keys, type) else "valid"
                values = "callable values" if self.callable_values else "any values"
                return f"expected {keys} keys and {values}, got {key!r}: {item!r}"
        return None


def mapping(
    *,
    keys: type | tuple[type, ...] | None = None,
    callable_values: bool = False,
    noun: str = "a mapping",
    fix: str = "",
) -> Validator:
    """A mapping (a dict, a TOML table), with keys of type ``keys`` and callable values if asked."""
    return _Mapping(keys=keys, callable_values=callable_values, noun=noun, fix=fix)


@attrs.frozen(kw_only=True)
class _Names(Validator):
    noun: str = "names"
    expected: str = attrs.field(init=False)

    @expected.default
    def _expected(self) -> str:
        return f"a list of {self.noun}"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def names(*, noun: str = "names", fix: str = "") -> Validator:
    """A list of strings, e.g. plugin names."""
    return _Names(noun=noun, fix=fix)


@attrs.frozen(kw_only=True)
class _Path(Validator):
    expected: str = attrs.field(default="a file path (str or Path)", init=False)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str | os.PathLike) and not isinstance(value, bytes)

    def problem(self, name: str, value: Any) -> str | None:
        return "the path is empty" if not os.fspath(value) else None


def to_path(value: Any) -> Any:
    """Converter: a ``str`` or ``os.PathLike`` becomes a :class:`~pathlib.Path`.

    Anything else (an empty string too) is left for :func:`path` to refuse.
    """
    if isinstance(value, str | os.PathLike) and not isinstance(value, bytes) and os.fspath(value):
        return Path(value)
    return value


def path(*, fix: str = "", example: Any = UNSET) -> Validator:
    """A non-empty file path, ``str`` or ``os.PathLike`` (use with :func:`to_path`)."""
    return _Path(fix=fix, example=example)


_REFERENCE: Final = re.compile(r"[^\s:]+:[^\s:]+")


@attrs.frozen(kw_only=True)
class _ModuleAttr(Validator):
    expected: str = attrs.field(default="a 'module:attr' string", init=False)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str)

    def problem(self, name: str, value: Any) -> str | None:
        if _REFERENCE.fullmatch(value):
            return None
        return "expected 'module:attr' naming something importable"


def module_attr(*, fix: str = "", example: Any = UNSET) -> Validator:
    """A ``"package.module:attr"`` reference to something importable (not imported here)."""
    return _ModuleAttr(fix=fix, example=example)


def load(owner: str, name: str, value: str, *, example: str = "package.module:name") -> Any:
    """Import what ``value`` (``"package.module:attr"``) names; fail with the house message.

    Raises:
        OptionTypeError: ``value`` is not a str.
        OptionValueError: it is not ``module:attr``, or does not import.
    """
    module_attr(example=example).validate(owner, name, value)
    module_name, _, attr = value.partition(":")
    fix = "check the module and the name"
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise fail(owner, name, value, f"cannot import {module_name!r}: {exc}; {fix}") from exc
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            problem = f"module {module_name!r} has no {attr!r}; {fix}"
            raise fail(owner, name, value, problem) from None
    return obj


@attrs.frozen(kw_only=True)
class _TimeZone(Validator):
    instances: bool = True
    expected: str = attrs.field(init=False)

    @expected.default
    def _expected(self) -> str:
        return "a tzinfo or a time zone name" if self.instances else "a time zone name"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) or (self.instances and isinstance(value, tzinfo))

    def problem(self, name: str, value: Any) -> str | None:
        if isinstance(value, tzinfo):
            return None
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return f"unknown time zone {value!r}; use an IANA name like 'UTC' or 'Europe/Berlin'"
        return None


def to_time_zone(value: Any) -> Any:
    """Converter: a zone name (``"UTC"``, ``"Europe/Berlin"``) becomes its ``tzinfo``.

    Anything else (a name that is no zone too) is left for :func:`time_zone` to refuse.
    """
    if not isinstance(value, str):
        return value
    if value.upper() == "UTC":
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return value


def time_zone(*, instances: bool = True) -> Validator:
    """An IANA time zone name (``"UTC"``, ``"Europe/Berlin"``), or a ``tzinfo`` if ``instances``."""
    return _TimeZone(instances=instances)


# --- factories ---------------------------------------------------------------------


def declare(options: type) -> Callable[[F], F]:
    """Say that the factory function decorated takes the fields of ``options`` as options.

    Assembly then checks a ``jobify.toml`` table by building ``options`` from it,
    before the factory is first called::

        @attrs.frozen(kw_only=True)
        class PoolOptions:
            max_workers: int | None = attrs.field(default=None, validator=...)

        @options.declare(PoolOptions)
        def make_pool(**kwargs: Any) -> Pool:
            return Pool(PoolOptions(**kwargs))
    """
    if not attrs.has(options):
        msg = f"declare({options!r}): expected an attrs class whose fields are the options"
        raise TypeError(msg)

    def mark(factory: F) -> F:
        setattr(factory, OPTIONS_ATTR, options)
        return factory

    return mark


def options_class(factory: Callable[..., Any]) -> type | None:
    """The attrs class holding ``factory``'s options: itself, the one it declares, or None."""
    if isinstance(factory, type) and attrs.has(factory):
        return factory
    declared = getattr(factory, OPTIONS_ATTR, None)
    return declared if isinstance(declared, type) else None


def changed(instance: Any, option_names: Iterable[str]) -> dict[str, Any]:
    """The options among ``option_names`` whose value on ``instance`` is not their default.

    For attrs classes that pass their options on to a library: only what the
    user changed is passed, so the library's own defaults stay in force.
    """
    fields = attrs.fields_dict(type(instance))
    out = {}
    for name in option_names:
        value = getattr(instance, name)
        default = fields[name].default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = attrs.NOTHING
        if value != default:
            out[name] = value
    return out


def bind(
    function: Callable[..., T], instance: Any, option_names: Iterable[str]
) -> Callable[..., T]:
    """``function`` with the :func:`changed` options of ``instance`` bound as keywords.

    ``function`` itself when none changed, so the common case costs no extra call.
    """
    given = changed(instance, option_names)
    return functools.partial(function, **given) if given else function
