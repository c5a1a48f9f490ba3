"""The public API: names, import paths, kinds and signatures of the reference (jobify 0.14.0)."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import inspect
import sys
import uuid
from enum import Enum

import pytest

import jobify
from jobify import (
    Cron,
    GracePolicy,
    JobContext,
    Jobify,
    JobRouter,
    JobStatus,
    MisfirePolicy,
    RunMode,
    ScheduleBuilder,
    SmartRetry,
)
from jobify.router import NodeRoute, RootRoute

REFERENCE_ALL = (
    "INJECT", "Cron", "CronContext", "GracePolicy", "Job", "JobContext", "JobRouter",
    "JobStatus", "Jobify", "JobifyConfiguration", "MisfirePolicy", "OuterContext", "Plugin",
    "RequestState", "RunMode", "Runnable", "ScheduleBuilder", "SmartRetry", "State",
)  # fmt: skip

EMPTY = inspect.Parameter.empty
KW = inspect.Parameter.KEYWORD_ONLY
POS = inspect.Parameter.POSITIONAL_OR_KEYWORD


def params(obj: object) -> list[tuple[str, object, object]]:
    """(name, kind, default) of every parameter except ``self``."""
    sig = inspect.signature(obj)  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default) for p in sig.parameters.values() if p.name != "self"]


def test_all_names_of_the_package_are_importable() -> None:
    assert set(REFERENCE_ALL) <= set(jobify.__all__)
    for name in jobify.__all__:
        assert getattr(jobify, name) is not None, name


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("jobify.router", ["JobRouter", "NodeRoute", "RootRoute", "Route"]),
        (
            "jobify.middleware",
            ["BaseMiddleware", "BaseOuterMiddleware", "CallNext", "CallNextOuter"],
        ),
        (
            "jobify.exceptions",
            [
                "ApplicationStateError",
                "BaseJobifyError",
                "DuplicateJobError",
                "JobFailedError",
                "JobNotCompletedError",
                "JobTimeoutError",
                "RouteAlreadyRegisteredError",
            ],  # fmt: skip
        ),
        ("jobify.storage", ["Storage", "ScheduledJob"]),
        ("jobify.serializers", ["Serializer"]),
        ("jobify.typeadapter", ["Dumper", "Loader"]),
        ("jobify.crontab", ["CronParser"]),
    ],
)
def test_submodule_names_are_importable(module: str, names: list[str]) -> None:
    mod = importlib.import_module(module)
    for name in names:
        assert getattr(mod, name) is not None, f"{module}.{name}"


def test_router_module_reexports_the_package_router() -> None:
    from jobify.router import JobRouter as RouterFromModule

    assert RouterFromModule is JobRouter


def test_exception_hierarchy_matches_the_reference() -> None:
    from jobify import exceptions as exc

    for name in (
        "ApplicationStateError", "JobFailedError", "JobNotCompletedError", "JobTimeoutError",
        "RouteAlreadyRegisteredError",
    ):  # fmt: skip
        assert issubclass(getattr(exc, name), exc.BaseJobifyError), name
    assert issubclass(exc.BaseJobifyError, Exception)
    # The reference's one odd one out: not a BaseJobifyError.
    assert issubclass(exc.DuplicateJobError, RuntimeError)
    assert not issubclass(exc.DuplicateJobError, exc.BaseJobifyError)


def test_exception_constructors_and_attributes() -> None:
    from jobify import exceptions as exc

    e = exc.ApplicationStateError(operation="op", reason="why", solution="fix")
    assert (e.operation, e.reason, e.solution) == ("op", "why", "fix")
    assert all(part in str(e) for part in ("op", "why", "fix"))
    with pytest.raises(TypeError):
        exc.ApplicationStateError("op", "why", "fix")  # type: ignore[misc]  # keyword-only

    d = exc.DuplicateJobError("jid")
    assert d.job_id == "jid"
    assert "jid" in str(d)
    assert "replace=True" in str(d)

    f = exc.JobFailedError("jid", "boom")
    assert (f.job_id, f.reason) == ("jid", "boom")
    assert "jid" in str(f)
    assert "boom" in str(f)

    t = exc.JobTimeoutError("jid", 1.5)
    assert (t.job_id, t.timeout) == ("jid", 1.5)
    assert "jid" in str(t)
    assert "1.5" in str(t)

    assert str(exc.JobNotCompletedError()) == (
        "Job result is not ready yet, please use .wait() and then you can use .result"
    )
    assert str(exc.JobNotCompletedError("custom")) == "custom"
    assert "nm" in str(exc.RouteAlreadyRegisteredError("nm"))
    for err in (e, d, f, t, exc.RouteAlreadyRegisteredError("nm")):
        assert err.args == (str(err),)


def test_value_kinds() -> None:
    assert dataclasses.is_dataclass(Cron)
    for cls in (SmartRetry, GracePolicy, JobContext):
        assert issubclass(cls, tuple), cls
        assert hasattr(cls, "_fields"), cls
    assert JobContext._fields == (
        "app", "job", "state", "runnable", "request_state", "route_options",
        "jobify_config", "schedule_builder",
    )  # fmt: skip
    assert GracePolicy._fields == ("value",)


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        (
            JobStatus,
            [
                "pending",
                "scheduled",
                "running",
                "cancelled",
                "success",
                "failed",
                "timeout",
                "permanently_failed",
            ],  # fmt: skip
        ),
        (RunMode, ["main", "thread", "process"]),
        (MisfirePolicy, ["all", "skip", "once"]),
    ],
)
def test_str_enums_have_the_reference_values_in_order(enum: type[Enum], values: list[str]) -> None:
    assert issubclass(enum, str)
    assert issubclass(enum, Enum)
    assert [m.value for m in enum] == values
    assert [m.name for m in enum] == [v.upper() for v in values]
    assert enum(values[0]) == values[0]  # a str enum compares equal to its value


def test_jobify_signature() -> None:
    got = params(Jobify)
    assert [name for name, _, _ in got] == [
        "tz", "state", "dumper", "loader", "storage", "lifespan", "serializer", "middleware",
        "outer_middleware", "cron_factory", "loop_factory", "exception_handlers",
        "threadpool_executor", "processpool_executor", "route_class", "plugins",
        "uuid_generator",
    ]  # fmt: skip
    assert all(kind is KW for _, kind, _ in got)
    defaults = {name: default for name, _, default in got}
    for name in (
        "tz", "state", "dumper", "loader", "lifespan", "serializer", "middleware",
        "outer_middleware", "exception_handlers", "threadpool_executor", "processpool_executor",
    ):  # fmt: skip
        assert defaults[name] is None, name
    assert defaults["loop_factory"] is asyncio.get_running_loop
    assert defaults["route_class"] is RootRoute
    assert defaults["plugins"] == ()
    assert defaults["uuid_generator"] is uuid.uuid4
    # storage and cron_factory default to "the configured one" (a sentinel, not None):
    # the kernel imports neither SQLite nor croniter.
    assert defaults["storage"] is not None
    assert defaults["storage"] is not False
    assert defaults["cron_factory"] is not None


def test_job_router_signature() -> None:
    assert params(JobRouter) == [
        ("state", KW, None),
        ("prefix", KW, None),
        ("lifespan", KW, None),
        ("middleware", KW, None),
        ("outer_middleware", KW, None),
        ("exception_handlers", KW, None),
        ("route_class", KW, NodeRoute),
    ]


def test_cron_signature() -> None:
    got = params(Cron)
    assert got[:-1] == [
        ("expression", POS, EMPTY),
        ("max_runs", KW, -1),
        ("max_failures", KW, 10),
        ("misfire_policy", KW, MisfirePolicy.ONCE),
        ("start_date", KW, None),
        ("args", KW, ()),
    ]
    assert got[-1][:2] == ("kwargs", KW)
    assert Cron("x").kwargs == {}
    assert Cron("x").kwargs is not Cron("x").kwargs  # a default factory, not a shared dict


def test_smart_retry_signature() -> None:
    assert params(SmartRetry) == [
        ("retries", POS, EMPTY),
        ("initial_delay", POS, 0.5),
        ("max_delay", POS, 60.0),
        ("backoff_factor", POS, 2.0),
        ("jitter", POS, True),
        ("include_exceptions", POS, (Exception,)),
        ("exclude_exceptions", POS, ()),
    ]
    assert SmartRetry._fields == (
        "retries", "initial_delay", "max_delay", "backoff_factor", "jitter",
        "include_exceptions", "exclude_exceptions",
    )  # fmt: skip


def test_schedule_builder_signatures() -> None:
    assert params(ScheduleBuilder.push) == [
        ("job_id", KW, None),
        ("replace", KW, False),
        ("force", KW, False),
    ]
    assert params(ScheduleBuilder.at) == [
        ("at", POS, EMPTY),
        ("job_id", KW, None),
        ("replace", KW, False),
        ("force", KW, False),
    ]
    assert params(ScheduleBuilder.delay) == [
        ("seconds", POS, EMPTY),
        ("job_id", KW, None),
        ("now", KW, None),
        ("replace", KW, False),
    ]
    assert params(ScheduleBuilder.cron) == [
        ("cron", POS, EMPTY),
        ("job_id", KW, EMPTY),
        ("replace", KW, False),
        ("force", KW, False),
    ]
    assert params(ScheduleBuilder.now) == []


def test_app_methods_of_the_reference_exist(app: Jobify) -> None:
    for name in (
        "task", "include_router", "include_routers", "startup", "shutdown", "wait_all",
        "find_job", "get_active_jobs", "add_plugin", "add_exception_handler",
        "add_middleware", "add_outer_middleware", "add_route", "remove_route", "routes",
        "sub_routers", "state", "configs", "plugins", "prefix", "parent", "exception_handlers",
    ):  # fmt: skip
        assert hasattr(app, name), name
    assert params(app.wait_all) == [("timeout", POS, None)]
    assert repr(app) == "<Jobify>"
    assert isinstance(app.plugins, set)


def test_seed_import_of_a_missing_plugin_names_the_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Whatever is installed, make the plugin module unimportable.
    monkeypatch.setitem(sys.modules, "jobify_serializer_orjson", None)
    with pytest.raises(ImportError) as info:
        from jobify.serializers import OrjsonSerializer  # noqa: F401
    message = str(info.value)
    assert "jobify-serializer-orjson" in message
    assert "pip install jobify-serializer-orjson" in message


def test_unknown_name_of_a_contract_module_is_an_attribute_error() -> None:
    import jobify.storage

    with pytest.raises(AttributeError, match="NoSuchStorage"):
        _ = jobify.storage.NoSuchStorage  # type: ignore[attr-defined]
