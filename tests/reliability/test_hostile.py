"""Hostile input, property-based: every rejection is the documented error type with a message
naming the bad part; nothing else escapes, nothing hangs."""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobify import Jobify, JobStatus
from jobify.exceptions import ConfigError, PluginLoadError, PluginNotFoundError
from jobify.storage import ScheduledJob
from jobify_storage_sqlite import SQLiteStorage

EXAMPLES = int(os.environ.get("JOBIFY_HYPOTHESIS_EXAMPLES", "150"))
FAST = settings(
    max_examples=EXAMPLES, deadline=timedelta(seconds=5), database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)  # fmt: skip


def raised(
    kind: type[Exception] | tuple[type[Exception], ...], call: Callable[[], object]
) -> str | None:
    """The message of the ``kind`` exception ``call()`` raises, None if it returns."""
    try:
        call()
    except kind as exc:
        return str(exc)
    return None


# --- cron expressions -----------------------------------------------------------------

CRON_TOKENS = st.sampled_from(
    ["*", "?", "L", "W", "#", "/", "-", ",", "0", "1", "5", "7", "12", "23", "31", "59", "60",
     "99", "2099", "1970", "*/0", "*/15", "1-5", "5-1", "mon", "sun", "jan", "dec", "foo",
     "L-3", "15W", "5#3", "5L", "-1", "*/", "1,,2", "@daily", "@reboot", "\x00", "١", "½"]
)  # fmt: skip
CRON_LIKE = st.lists(
    st.lists(CRON_TOKENS, min_size=1, max_size=3).map("".join), min_size=0, max_size=8
).map(" ".join)


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[asyncio.Runner, Any]]:
    app = Jobify(storage=False)

    @app.task(name="cronned")
    async def cronned() -> None: ...

    with asyncio.Runner() as runner:
        runner.run(app.startup())
        try:
            yield runner, cronned
        finally:
            runner.run(app.shutdown())


@FAST
@given(expression=st.one_of(CRON_LIKE, st.text(max_size=40)))
def test_cron_expressions_fail_only_with_a_value_error_naming_them(
    started: tuple[asyncio.Runner, Any], expression: str
) -> None:
    runner, task = started

    async def attempt() -> None:
        job = await task.schedule().cron(expression, job_id="hostile", replace=True)
        assert job.status is JobStatus.SCHEDULED
        await job.cancel()

    message = raised(ValueError, lambda: runner.run(asyncio.wait_for(attempt(), 5)))
    if message is not None:
        assert repr(expression) in message or expression in message, message


# --- jobify.toml ----------------------------------------------------------------------

SCALAR = st.one_of(
    st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
)  # fmt: skip
NAMES = st.sampled_from(
    ["sqlite", "json", "orjson", "msgpack", "cbor", "croniter", "pydantic", "adaptix",
     "pools", "nope", "os:path", "no.such.module:thing", "jobify:Jobify", ""]
)  # fmt: skip
OPTION_KEYS = st.sampled_from(
    ["database", "table_name", "timeout", "max_queue_size", "max_workers", "indent", "x"]
)
CHOICE = st.fixed_dictionaries({}, optional={"use": st.one_of(NAMES, SCALAR)}).flatmap(
    lambda base: st.dictionaries(OPTION_KEYS, SCALAR, max_size=3).map(lambda o: {**o, **base})
)
TOP = st.sampled_from(
    ["app", "tz", "storage", "serializer", "typeadapter", "cron", "executors", "middleware",
     "outer_middleware", "plugins", "bogus"]
)  # fmt: skip
TABLE_VALUE = st.one_of(
    SCALAR, CHOICE, st.lists(CHOICE, max_size=2),
    st.dictionaries(st.sampled_from(["thread", "process", "disable", "other"]),
                    st.one_of(SCALAR, CHOICE, st.lists(st.text(max_size=5), max_size=2)), max_size=2),
)  # fmt: skip


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


@FAST
@given(table=st.dictionaries(TOP, TABLE_VALUE, max_size=4), tz=st.sampled_from([None, "UTC"]))
def test_config_files_fail_only_with_config_errors_naming_file_and_key(
    table: dict[str, Any], tz: str | None
) -> None:
    if tz is not None:
        table = {**table, "tz": tz}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "jobify.toml"
        body = "[jobify]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in table.items())
        path.write_text(body, encoding="utf-8")
        message = raised(
            (ConfigError, PluginNotFoundError, PluginLoadError),
            lambda: Jobify.from_config(path),
        )
        if message is not None:
            assert str(path) in message, message
            assert re.search(r"\[(tool\.)?jobify[^\]]*\]", message), message


# --- task arguments -------------------------------------------------------------------

ARG = st.one_of(st.integers(), st.text(max_size=5), st.none())


@FAST
@given(
    args=st.lists(ARG, max_size=4),
    kwargs=st.dictionaries(st.sampled_from(["a", "b", "c", "zz", "self"]), ARG, max_size=3),
)
def test_arguments_that_do_not_bind_raise_type_error_naming_the_task(
    args: list[Any], kwargs: dict[str, Any]
) -> None:
    app = Jobify(storage=False)

    @app.task(name="two_args")
    async def two_args(a: int, b: str = "x", *, c: int = 0) -> None: ...

    async def bind_in_a_started_app() -> str | None:
        async with app:  # schedule() before startup is an ApplicationStateError, as in 0.14
            return raised(TypeError, lambda: two_args.schedule(*args, **kwargs))

    message = asyncio.run(bind_in_a_started_app())
    if message is not None:
        assert "'two_args'" in message, message


async def test_task_parameters_named_self_args_kwargs_bind_to_the_task() -> None:
    """Found by the property above: ``schedule(self=...)`` hit the method's own ``self``."""
    app = Jobify(storage=False)

    @app.task(name="odd")
    async def odd(self: int, *, args: int = 0, kwargs: int = 0) -> int:
        return self + args + kwargs

    async with app:
        pushed = await odd.push(self=1, args=2, kwargs=3)
        scheduled = await odd.schedule(self=10).push()
        await pushed.wait()
        await scheduled.wait()
    assert (pushed.result(), scheduled.result()) == (6, 10)


# --- stored payloads ------------------------------------------------------------------

JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["v", "a", "args", "kwargs", "trigger", "cron", "at", "t", "x"]),
            inner, max_size=4,
        ),
    ),
    max_leaves=8,
)  # fmt: skip
CRON_MESSAGE: dict[str, Any] = {
    "v": 1, "args": {"x": 1},
    "cron": {"expression": "* * * * *", "max_runs": 5, "max_failures": 10,
             "misfire_policy": "once", "start_date": None, "run_count": 0,
             "failure_count": 0, "offset": "2026-11-30T00:00:00+00:00"},
}  # fmt: skip
AT_MESSAGE: dict[str, Any] = {"v": 1, "args": {"x": 1}, "at": "2026-11-29T03:21:13+00:00"}
ODD_VALUES = st.one_of(
    JSONISH, st.sampled_from(["2026-11-30T00:00:00", "not a date", "", "* * *", "all", -1, 0,
                              2**70, {"grace": -5}, {"grace": "x"}, {}, []]),
)  # fmt: skip


@st.composite
def mutated_message(draw: st.DrawFn) -> bytes:
    """A valid stored message with one field replaced or removed: nearly right is the worst."""
    base = json.loads(json.dumps(draw(st.sampled_from([CRON_MESSAGE, AT_MESSAGE]))))
    table = base["cron"] if "cron" in base and draw(st.booleans()) else base
    key = draw(st.sampled_from(sorted(table)))
    if draw(st.booleans()):
        del table[key]
    else:
        table[key] = draw(ODD_VALUES)
    return json.dumps(base).encode()


PAYLOAD = st.one_of(
    st.binary(max_size=64), JSONISH.map(lambda v: json.dumps(v).encode()), mutated_message()
)


@settings(max_examples=max(25, EXAMPLES // 6), deadline=timedelta(seconds=20), database=None)
@given(payloads=st.lists(PAYLOAD, min_size=1, max_size=12))
def test_stored_payloads_that_do_not_decode_are_set_aside(payloads: list[bytes]) -> None:
    async def main(db: Path) -> tuple[set[str], list[str]]:
        when = datetime.now(UTC) + timedelta(hours=1)
        storage = SQLiteStorage(db)
        await storage.startup()
        seed = Jobify(storage=SQLiteStorage(db))

        @seed.task(name="keep")
        async def keep_seed(x: int) -> None: ...

        await storage.add_schedule(
            *(
                ScheduledJob(f"bad{i}", "keep", p, JobStatus.SCHEDULED, when)
                for i, p in enumerate(payloads)
            )
        )
        await storage.shutdown()
        async with seed:
            await keep_seed.schedule(1).delay(3600, job_id="good")
        app = Jobify(storage=SQLiteStorage(db))

        @app.task(name="keep")
        async def keep(x: int) -> None: ...

        async with app:  # startup completes
            live = {job.id for job in app.get_active_jobs()}
            aside = [row.job_id for row, _ in await app.configs.storage.get_quarantined()]  # type: ignore[attr-defined]
        return live, aside

    with tempfile.TemporaryDirectory() as tmp:
        live, aside = asyncio.run(main(Path(tmp) / "jobs.db"))
    assert "good" in live
    assert set(aside) | live == {"good", *(f"bad{i}" for i in range(len(payloads)))}


# --- table names and config values never reach SQL as text ------------------------------

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@FAST
@given(name=st.one_of(st.text(max_size=30), st.from_regex(IDENT, fullmatch=True)))
def test_only_plain_identifiers_are_accepted_as_table_names(name: str) -> None:
    message = raised(ValueError, lambda: SQLiteStorage(":memory:", table_name=name))
    if message is not None:
        assert not IDENT.fullmatch(name)
        assert repr(name) in message
    else:
        assert IDENT.fullmatch(name) and name.isascii()


@pytest.mark.parametrize("name", ["select", "order", "_", "Table_1", "x" * 200, "jobify_meta"])
async def test_awkward_but_valid_table_names_work(tmp_path: Path, name: str) -> None:
    storage = SQLiteStorage(tmp_path / "jobs.db", table_name=name)
    await storage.startup()
    try:
        when = datetime.now(UTC)
        await storage.add_schedule(ScheduledJob("a", "t", b"{}", JobStatus.SCHEDULED, when))
        assert [r.job_id for r in await storage.get_schedules()] == ["a"]
    finally:
        await storage.shutdown()


def test_table_name_from_config_is_checked_with_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "jobify.toml"
    path.write_text(
        '[jobify.storage]\nuse = "sqlite"\ntable_name = "jobs; DROP TABLE x"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        Jobify.from_config(path)
    message = str(info.value)
    assert str(path) in message and "[jobify.storage]" in message
    assert "'jobs; DROP TABLE x'" in message


# --- job ids --------------------------------------------------------------------------

ODD_IDS = [
    'it\'s "quoted"; DROP TABLE jobify_schedules; --',
    "ジョブ-📅-ü-\u200b",
    "x" * 10_000,
    " leading and trailing ",
    "\\backslash\\",
    "nul\x00inside",
]


@pytest.mark.parametrize(
    "job_id", ODD_IDS, ids=["quotes", "unicode", "10k", "spaces", "backslash", "nul"]
)
async def test_odd_job_ids_survive_a_restart(tmp_path: Path, job_id: str) -> None:
    db = tmp_path / "jobs.db"
    ran: list[str] = []

    def make() -> tuple[Jobify, Any]:
        app = Jobify(storage=SQLiteStorage(db))

        @app.task(name="rec")
        async def rec(tag: str) -> None:
            ran.append(tag)

        return app, rec

    app, rec = make()
    async with app:
        job = await rec.schedule("t").delay(0.2, job_id=job_id)
        assert app.find_job(job_id) is job
    app, _ = make()
    async with app:
        assert app.find_job(job_id) is not None
        await app.wait_all(5)
        await asyncio.sleep(0.05)
    assert ran == ["t"]
    storage = SQLiteStorage(db)
    await storage.startup()
    try:
        assert await storage.get_schedules() == []
    finally:
        await storage.shutdown()


@pytest.mark.parametrize("job_id", ["lone\ud800surrogate", 42])  # "" makes an id, as 0.14
async def test_unstorable_job_ids_are_refused_clearly(tmp_path: Path, job_id: Any) -> None:
    app = Jobify(storage=SQLiteStorage(tmp_path / "jobs.db"))

    @app.task(name="rec")
    async def rec() -> None: ...

    async with app:
        with pytest.raises((ValueError, TypeError), match="job_id") as info:
            await rec.schedule().delay(3600, job_id=job_id)
        assert repr(job_id) in str(info.value) or job_id == ""
        assert app.get_active_jobs() == []
