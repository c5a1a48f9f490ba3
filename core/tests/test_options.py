"""jobify.options: one vocabulary of option checks, one message shape, one "did you mean"."""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

import attrs
import pytest

from jobify import options
from jobify.exceptions import BaseJobifyError


@attrs.frozen(kw_only=True)
class Pool:
    workers: int = attrs.field(default=1, validator=options.positive_int(example=4))
    limit: int | None = attrs.field(
        default=None, validator=options.optional(options.integer(minimum=0, fix="0: no limit"))
    )
    timeout: float = attrs.field(default=1.0, validator=options.seconds(example=20.0))
    grace: float = attrs.field(default=0.0, validator=options.seconds(zero=True))
    ratio: float = attrs.field(default=0.5, validator=options.number())
    mode: str = attrs.field(default="fast", validator=options.one_of(("fast", "safe")))
    table: str = attrs.field(
        default="jobs", validator=options.identifier(kind="SQL identifier", default="jobs")
    )
    label: str = attrs.field(default="x", validator=options.text(min_length=1, max_length=3))
    strict: bool | None = attrs.field(default=None, validator=options.optional(options.flag()))
    hook: Any = attrs.field(default=None, validator=options.optional(options.function()))
    target: str = attrs.field(default="pkg.mod:obj", validator=options.module_attr())
    tz: tzinfo | str = attrs.field(
        default="UTC", converter=options.to_time_zone, validator=options.time_zone()
    )
    path: Path = attrs.field(
        default=Path("x.db"), converter=options.to_path, validator=options.path()
    )


def message(kind: type[Exception], **kwargs: Any) -> str:
    with pytest.raises(kind) as info:
        Pool(**kwargs)
    assert isinstance(info.value, options.OptionError)
    assert isinstance(info.value, BaseJobifyError)
    return str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "kind", "text"),
    [
        ({"workers": 0}, ValueError, "Pool(workers=0): expected an int >= 1; e.g. workers=4"),
        (
            {"workers": "4"},
            TypeError,
            "Pool(workers='4'): expected an int, got str; e.g. workers=4",
        ),
        ({"workers": True}, TypeError, "Pool(workers=True): expected an int, got bool"),
        ({"workers": 2.0}, TypeError, "Pool(workers=2.0): expected an int, got float"),
        ({"limit": -1}, ValueError, "Pool(limit=-1): expected an int >= 0; 0: no limit"),
        ({"limit": "1"}, TypeError, "Pool(limit='1'): expected an int or None, got str"),
        ({"timeout": 0}, ValueError, "Pool(timeout=0): expected a finite number of seconds > 0"),
        ({"timeout": float("inf")}, ValueError, "Pool(timeout=inf): expected a finite number"),
        ({"timeout": float("nan")}, ValueError, "Pool(timeout=nan): expected a finite number"),
        ({"timeout": "20"}, TypeError, "Pool(timeout='20'): expected seconds as a number, got str"),
        ({"grace": -0.5}, ValueError, "Pool(grace=-0.5): expected a finite number of seconds >= 0"),
        ({"ratio": False}, TypeError, "Pool(ratio=False): expected a number, got bool"),
        (
            {"mode": "fsat"},
            ValueError,
            "Pool(mode='fsat'): expected one of 'fast', 'safe'. Did you mean 'fast'?",
        ),
        ({"mode": 1}, TypeError, "Pool(mode=1): expected one of 'fast', 'safe', got int"),
        ({"table": "my jobs"}, ValueError, "e.g. table='my_jobs'"),
        ({"table": "9"}, ValueError, "e.g. table='_9'"),
        ({"label": ""}, ValueError, "Pool(label=''): expected 1 to 3 characters"),
        ({"label": 3}, TypeError, "Pool(label=3): expected a str, got int"),
        ({"strict": "yes"}, TypeError, "Pool(strict='yes'): expected True, False or None, got str"),
        ({"hook": 5}, TypeError, "Pool(hook=5): expected a callable or None, got int"),
        ({"target": "pkg.mod"}, ValueError, "Pool(target='pkg.mod'): expected 'module:attr'"),
        ({"tz": "Mars/Base"}, ValueError, "Pool(tz='Mars/Base'): unknown time zone 'Mars/Base'"),
        ({"tz": 5}, TypeError, "Pool(tz=5): expected a tzinfo or a time zone name, got int"),
        ({"path": ""}, ValueError, "Pool(path=''): the path is empty"),
        (
            {"path": b"x"},
            TypeError,
            "Pool(path=b'x'): expected a file path (str or Path), got bytes",
        ),
    ],
)
def test_each_check_says_where_what_and_the_fix(kwargs: dict[str, Any], kind: type, text: str):
    assert text in message(kind, **kwargs)


def test_good_values_pass_and_converters_normalise():
    pool = Pool(workers=8, limit=0, timeout=0.1, tz="utc", path="jobs.db", strict=False)
    assert pool.tz is UTC
    assert pool.path == Path("jobs.db")
    assert str(Pool(tz="Europe/Berlin").tz) == "Europe/Berlin"


def test_identifier_says_the_rule_and_suggests_one():
    text = message(ValueError, table="jobs; DROP")
    assert text == (
        "Pool(table='jobs; DROP'): not a plain SQL identifier. Use ASCII letters, digits and "
        "underscores, not starting with a digit ([A-Za-z_][A-Za-z0-9_]*), e.g. table='jobs__DROP'"
    )
    assert "e.g. table='jobs'" in message(ValueError, table="")


def test_checks_compose_as_attrs_validators_do():
    def even(inst: Any, attribute: attrs.Attribute[Any], value: int) -> None:
        if value % 2:
            raise options.fail(type(inst).__name__, attribute.name, value, "expected an even int")

    @attrs.frozen
    class Pair:
        size: int = attrs.field(validator=[options.positive_int(), even])
        other: int | None = attrs.field(
            default=None, validator=attrs.validators.and_(options.optional(options.integer()))
        )

    assert Pair(2).size == 2
    with pytest.raises(ValueError, match=r"Pair\(size=0\): expected an int >= 1"):
        Pair(0)
    with pytest.raises(ValueError, match=r"Pair\(size=3\): expected an even int"):
        Pair(3)
    with pytest.raises(TypeError, match=r"Pair\(other='1'\): expected an int or None"):
        Pair(2, "1")


def test_plain_classes_use_validate():
    workers = options.positive_int(fix="the jobs that may run at once")
    workers.validate("Queue", "workers", 3)
    with pytest.raises(options.OptionValueError) as info:
        workers.validate("Queue", "workers", 0)
    assert (
        str(info.value) == "Queue(workers=0): expected an int >= 1; the jobs that may run at once"
    )
    assert (info.value.owner, info.value.name, info.value.value) == ("Queue", "workers", 0)


def test_at_renders_the_error_at_a_place_in_a_file():
    with pytest.raises(options.OptionError) as info:
        Pool(workers=0)
    assert info.value.at("jobify.toml [jobify.x]") == (
        "jobify.toml [jobify.x] workers = 0: expected an int >= 1; e.g. workers=4"
    )


def test_did_you_mean_is_written_once():
    assert options.did_you_mean("sqlit", ["sqlite", "postgres"]) == " Did you mean 'sqlite'?"
    assert options.did_you_mean("zzz", ["sqlite"]) == ""
    assert options.did_you_mean(3, [1, 2]) == ""
    assert options.unknown("key", "storgae", ["app", "storage"]) == (
        "unknown key 'storgae'. Valid keys: app, storage. Did you mean 'storage'?"
    )
    assert options.unknown("option", "x", []) == "unknown option 'x'. Valid options: none."


def test_load_imports_module_attr_or_says_why_not():
    assert options.load("Thing", "target", "pathlib:Path") is Path
    with pytest.raises(
        options.OptionValueError, match=r"Thing\(target='nope'\): expected 'module:attr'"
    ):
        options.load("Thing", "target", "nope")
    with pytest.raises(ValueError, match=r"cannot import 'no_such_mod_x'.*check the module"):
        options.load("Thing", "target", "no_such_mod_x:y")
    with pytest.raises(ValueError, match=r"module 'pathlib' has no 'Nope'"):
        options.load("Thing", "target", "pathlib:Nope")
    with pytest.raises(TypeError, match=r"Thing\(target=5\): expected a 'module:attr' string"):
        options.load("Thing", "target", 5)  # type: ignore[arg-type]


def test_a_factory_function_declares_its_options_class():
    @attrs.frozen(kw_only=True)
    class Opts:
        size: int = attrs.field(default=1, validator=options.positive_int())

    @options.declare(Opts)
    def make(**kwargs: Any) -> int:
        return Opts(**kwargs).size

    assert options.options_class(make) is Opts
    assert options.options_class(Pool) is Pool
    assert options.options_class(len) is None
    with pytest.raises(TypeError, match="expected an attrs class"):
        options.declare(dict)


def test_changed_lists_the_options_that_differ_from_their_defaults():
    assert options.changed(Pool(workers=3, mode="fast"), ["workers", "mode", "limit"]) == {
        "workers": 3
    }


def test_bind_passes_only_the_changed_options_on():
    def call(**kwargs: Any) -> dict[str, Any]:
        return kwargs

    assert options.bind(call, Pool(), ["workers", "mode"]) is call
    assert options.bind(call, Pool(workers=3), ["workers", "mode"])() == {"workers": 3}
