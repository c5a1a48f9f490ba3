"""Declaring tasks: ``@app.task`` forms, names, options and their validation."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from jobify import Jobify, JobRouter, JobStatus, RunMode, SmartRetry
from jobify.exceptions import ApplicationStateError, RouteAlreadyRegisteredError
from jobify.router import NodeRoute, RootRoute, Route


def module_level_sync(x: int) -> int:
    return x + 1


MODULE_LAMBDA = lambda: 1  # noqa: E731
OTHER_MODULE_LAMBDA = lambda: 2  # noqa: E731


def qualified(func: Any) -> str:
    return f"{func.__module__}:{func.__qualname__}"


# --- forms and names ----------------------------------------------------------------------


def test_bare_decorator(app: Jobify) -> None:
    def double(x: int) -> int:
        return x * 2

    route = app.task(double)
    assert isinstance(route, RootRoute)
    assert isinstance(route, Route)
    assert route.name == qualified(double)
    assert route.name.endswith(":test_bare_decorator.<locals>.double")
    assert route.options == {}
    assert route.func is double


def test_decorator_syntax_bare_and_with_options(app: Jobify) -> None:
    @app.task
    def plain() -> str:
        return "plain"

    @app.task()
    def empty_parens() -> str:
        return "empty"

    @app.task(name="custom")
    def named() -> str:
        return "named"

    assert plain.name == qualified(plain.func)
    assert empty_parens.options == {}
    assert named.name == "custom"
    assert named.options == {"name": "custom"}
    assert {r.name for r in app.routes} >= {plain.name, empty_parens.name, "custom"}


def test_default_name_of_a_method_and_a_lambda(app: Jobify) -> None:
    class Holder:
        @staticmethod
        def method() -> None:
            return None

    route = app.task(Holder.method)
    assert route.name.endswith(":test_default_name_of_a_method_and_a_lambda.<locals>.Holder.method")
    # a module-level lambda gets a unique name; a nested one keeps its qualname
    first = app.task(MODULE_LAMBDA)
    second = app.task(OTHER_MODULE_LAMBDA)
    pattern = re.escape(__name__) + r":lambda_[0-9a-f]{32}"
    assert re.fullmatch(pattern, first.name)
    assert re.fullmatch(pattern, second.name)
    assert first.name != second.name
    nested = app.task(lambda: 3)
    assert nested.name == f"{__name__}:test_default_name_of_a_method_and_a_lambda.<locals>.<lambda>"


def test_module_level_function_name(app: Jobify) -> None:
    route = app.task(module_level_sync)
    assert route.name == f"{__name__}:module_level_sync"


async def test_direct_call_runs_the_function_without_scheduling(app: Jobify) -> None:
    @app.task
    async def add(x: int, y: int = 2) -> int:
        return x + y

    @app.task(retry=3)
    def triple(x: int) -> int:
        return x * 3

    assert await add(1) == 3
    assert triple(3) == 9
    assert app.get_active_jobs() == []  # nothing was scheduled (the app is not even started)


# --- options ------------------------------------------------------------------------------


def test_options_are_stored_as_given_with_retry_normalised(app: Jobify) -> None:
    handlers = {ValueError: lambda exc, ctx: None}

    @app.task(
        name="custom",
        retry=3,
        timeout=5,
        durable=False,
        metadata={"a": 1},
        run_mode=RunMode.MAIN,
        exception_handlers=handlers,
    )
    def f() -> None:
        return None

    assert f.options == {
        "name": "custom",
        "retry": SmartRetry(retries=3),
        "timeout": 5,
        "durable": False,
        "metadata": {"a": 1},
        "run_mode": RunMode.MAIN,
        "exception_handlers": handlers,
    }
    assert f.options["retry"] == SmartRetry(3, 0.5, 60.0, 2.0, True, (Exception,), ())
    assert isinstance(f.options["retry"], SmartRetry)


def test_smart_retry_option_is_kept_and_run_mode_string_is_accepted(app: Jobify) -> None:
    policy = SmartRetry(2, initial_delay=0.01)

    @app.task(retry=policy, run_mode="thread")
    def f() -> None:
        return None

    assert f.options["retry"] is policy
    assert f.options["run_mode"] == "thread"
    assert f.options["run_mode"] is RunMode.THREAD


def test_unknown_option_is_a_type_error_naming_the_valid_ones(app: Jobify) -> None:
    # Deliberate deviation: the reference stores unknown options silently.
    with pytest.raises(TypeError) as info:

        @app.task(bogus=1, retires=3)
        def f() -> None:
            return None

    message = str(info.value)
    assert "'bogus'" in message
    assert "'retires'" in message
    for valid in (
        "name", "cron", "retry", "timeout", "durable", "run_mode", "exception_handlers",
        "metadata",
    ):  # fmt: skip
        assert valid in message
    assert list(app.routes) == []


@pytest.mark.parametrize(
    ("options", "exc", "word"),
    [
        ({"timeout": 0}, ValueError, "timeout"),
        ({"timeout": -1}, ValueError, "timeout"),
        ({"timeout": "5"}, ValueError, "timeout"),
        ({"retry": -1}, ValueError, "retry"),
        ({"retry": "3"}, ValueError, "retry"),
        ({"durable": "yes"}, TypeError, "durable"),
        ({"run_mode": "fast"}, ValueError, "run_mode"),
        ({"cron": 5}, TypeError, "cron"),
        ({"metadata": 5}, TypeError, "metadata"),
        ({"name": ""}, ValueError, "name"),
        ({"exception_handlers": {1: print}}, TypeError, "exception_handlers"),
        ({"exception_handlers": {ValueError: "nope"}}, TypeError, "exception_handlers"),
        ({"exception_handlers": [print]}, TypeError, "exception_handlers"),
    ],
)
def test_bad_option_values_fail_at_decoration(
    app: Jobify, options: dict[str, Any], exc: type[Exception], word: str
) -> None:
    def f() -> None:
        return None

    with pytest.raises(exc, match=word):
        app.task(**options)(f)
    assert list(app.routes) == []


def test_task_needs_a_callable(app: Jobify) -> None:
    with pytest.raises(TypeError, match="function"):
        app.task(42)  # type: ignore[call-overload]


# --- duplicates and the frozen app -----------------------------------------------------------


def test_duplicate_name_is_rejected(app: Jobify) -> None:
    @app.task(name="dup")
    def first() -> None:
        return None

    with pytest.raises(RouteAlreadyRegisteredError, match="dup"):

        @app.task(name="dup")
        def second() -> None:
            return None

    def same() -> None:
        return None

    app.task(same)
    with pytest.raises(RouteAlreadyRegisteredError, match=re.escape(qualified(same))):
        app.task(same)


def test_duplicate_name_between_the_app_and_an_included_router(app: Jobify) -> None:
    router = JobRouter()

    @router.task(name="a_first")
    def bound_before_the_clash() -> None:
        return None

    @router.task(name="shared")
    def in_router() -> None:
        return None

    with pytest.raises(RouteAlreadyRegisteredError, match="shared"):
        router.task(name="shared")(in_router.func)

    @app.task(name="shared")
    def in_app() -> None:
        return None

    with pytest.raises(RouteAlreadyRegisteredError, match="shared"):
        app.include_router(router)
    # the failed include is undone entirely: nothing of the router is bound
    assert router.parent is None
    assert app.sub_routers == []
    with pytest.raises(RuntimeError, match="not included"):
        bound_before_the_clash.schedule()
    # once the clash is gone, including it again works
    app.remove_route("shared")
    app.include_router(router)
    assert bound_before_the_clash.real_route.name == "a_first"


async def test_registering_after_startup_is_an_application_state_error(app: Jobify) -> None:
    router = JobRouter()
    async with app:
        with pytest.raises(ApplicationStateError) as info:

            @app.task
            def late() -> None:
                return None

        assert info.value.operation
        assert info.value.reason
        assert info.value.solution
        with pytest.raises(ApplicationStateError):
            app.remove_route("anything")

        @router.task
        def routed() -> None:
            return None

        with pytest.raises(ApplicationStateError):
            app.include_router(router)
        # the failed include left nothing behind
        assert router.parent is None
        assert router not in app.sub_routers


async def test_task_added_to_an_included_router_after_startup_is_rejected(app: Jobify) -> None:
    router = JobRouter()
    app.include_router(router)
    async with app:
        with pytest.raises(ApplicationStateError):

            @router.task
            def late() -> None:
                return None

        assert list(router.routes) == []


# --- run modes --------------------------------------------------------------------------------


def test_process_run_mode_without_a_process_executor_fails_at_decoration(app: Jobify) -> None:
    with pytest.raises(RuntimeError) as info:
        app.task(run_mode=RunMode.PROCESS)(module_level_sync)
    message = str(info.value)
    assert "PROCESS" in message
    assert "processpool_executor" in message
    assert "pip install" in message
    assert list(app.routes) == []


def test_process_run_mode_needs_a_module_level_function(cron_factory: Any) -> None:
    app = Jobify(storage=False, cron_factory=cron_factory, processpool_executor=object())

    def local(x: int) -> int:
        return x

    with pytest.raises(ValueError, match="module"):
        app.task(run_mode=RunMode.PROCESS)(local)
    route = app.task(run_mode=RunMode.PROCESS)(module_level_sync)
    assert route.options["run_mode"] is RunMode.PROCESS


@pytest.mark.parametrize("mode", [RunMode.THREAD, RunMode.PROCESS])
def test_async_task_with_a_pool_run_mode_warns(app: Jobify, mode: RunMode) -> None:
    async def coro() -> None:
        return None

    with pytest.warns(RuntimeWarning, match=mode.value):
        route = app.task(run_mode=mode)(coro)
    assert route.options["run_mode"] is mode


async def test_where_tasks_run(app: Jobify) -> None:
    main = threading.current_thread()

    @app.task
    def sync_default() -> threading.Thread:
        return threading.current_thread()

    @app.task(run_mode=RunMode.MAIN)
    def sync_main() -> threading.Thread:
        return threading.current_thread()

    @app.task
    async def async_default() -> threading.Thread:
        return threading.current_thread()

    async with app:
        jobs = [await t.push() for t in (sync_default, sync_main, async_default)]
        for job in jobs:
            await job.wait()
            assert job.status is JobStatus.SUCCESS
        assert jobs[0].result() is not main
        assert jobs[1].result() is main
        assert jobs[2].result() is main


def test_router_task_is_a_node_route() -> None:
    router = JobRouter()

    @router.task
    def f() -> None:
        return None

    assert isinstance(f, NodeRoute)
    assert f.name == qualified(f.func)
    assert f.options == {}
