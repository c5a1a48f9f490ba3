"""App lifecycle: startup/shutdown, lifespans, Plugin objects, injection and routers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from jobify import (
    INJECT,
    Job,
    JobContext,
    Jobify,
    JobifyConfiguration,
    JobRouter,
    JobStatus,
    RequestState,
    Runnable,
    ScheduleBuilder,
    State,
)
from jobify.exceptions import ApplicationStateError

# --- startup and shutdown --------------------------------------------------------------------


async def test_async_with_starts_and_stops_the_app(app: Jobify) -> None:
    assert not app.configs.app_started
    async with app as entered:
        assert entered is app
        assert app.configs.app_started
    assert not app.configs.app_started


async def test_startup_and_shutdown_twice_are_no_ops(app: Jobify) -> None:
    entered: list[int] = []

    @contextlib.asynccontextmanager
    async def lifespan(_app: Jobify) -> AsyncIterator[None]:
        entered.append(1)
        yield

    app.lifespan = lifespan
    await app.startup()
    await app.startup()  # running already: nothing happens (0.14 entered the lifespan again)
    assert app.configs.app_started
    assert entered == [1]
    await app.shutdown()
    await app.shutdown()
    assert not app.configs.app_started
    await app.shutdown()  # never started: nothing to do either


async def test_the_app_can_start_again_after_shutdown(app: Jobify) -> None:
    @app.task
    async def f(x: int) -> int:
        return x

    async with app:
        job = await f.push(1)
        await job.wait()
    async with app:
        job = await f.push(2)
        await job.wait()
    assert job.result() == 2


async def test_shutdown_cancels_scheduled_and_running_jobs(app: Jobify) -> None:
    started = asyncio.Event()
    outcome: list[str] = []

    @app.task
    async def long() -> None:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    @app.task
    async def later() -> None:
        outcome.append("later ran")

    await app.startup()
    running = await long.push()
    scheduled = await later.schedule().delay(10)
    await started.wait()
    await app.shutdown()
    for job in (running, scheduled):
        assert job.status is JobStatus.CANCELLED
        assert job.is_done()
        await asyncio.wait_for(job.wait(), 0.5)
    assert outcome == ["cancelled"]
    assert app.get_active_jobs() == []


async def test_shutdown_wakes_waiters(app: Jobify) -> None:
    @app.task
    async def later() -> None:
        return None

    await app.startup()
    job = await later.schedule().delay(10)
    waiter = asyncio.create_task(job.wait())
    all_waiter = asyncio.create_task(app.wait_all())
    await asyncio.sleep(0)
    await app.shutdown()
    await asyncio.wait_for(asyncio.gather(waiter, all_waiter), 0.5)


# --- lifespans --------------------------------------------------------------------------------


async def test_lifespans_of_app_and_router(cron_factory: Any) -> None:
    log: list[Any] = []

    @contextlib.asynccontextmanager
    async def app_lifespan(obj: Any) -> AsyncIterator[dict[str, str]]:
        log.append(("app enter", obj))
        yield {"db": "DB"}
        log.append(("app exit", obj))

    @contextlib.asynccontextmanager
    async def router_lifespan(obj: Any) -> AsyncIterator[dict[str, str]]:
        log.append(("router enter", obj))
        yield {"rkey": "R"}
        log.append(("router exit", obj))

    @contextlib.asynccontextmanager
    async def quiet_lifespan(obj: Any) -> AsyncIterator[None]:
        log.append(("quiet enter", obj))
        yield
        log.append(("quiet exit", obj))

    app = Jobify(
        storage=False, cron_factory=cron_factory, state=State({"init": 1}), lifespan=app_lifespan
    )
    router = JobRouter(state=State({"rinit": 2}), lifespan=router_lifespan)
    quiet = JobRouter(lifespan=quiet_lifespan)
    app.include_router(router)
    app.include_router(quiet)

    @router.task
    async def routed(state: State = INJECT) -> dict[str, Any]:
        return dict(state)

    @app.task
    async def direct(state: State = INJECT) -> dict[str, Any]:
        return dict(state)

    async with app:
        assert log == [("app enter", app), ("router enter", router), ("quiet enter", quiet)]
        assert app.state == {"init": 1, "db": "DB"}
        routed_job = await routed.push()
        direct_job = await direct.push()
        await app.wait_all()
    # exit in the reverse order of entry
    assert log[3:] == [("quiet exit", quiet), ("router exit", router), ("app exit", app)]
    # a router task sees the app's state merged with its router's (lifespan values included)
    assert routed_job.result() == {"init": 1, "db": "DB", "rinit": 2, "rkey": "R"}
    assert direct_job.result() == {"init": 1, "db": "DB"}


async def test_a_failing_lifespan_undoes_the_startup(cron_factory: Any) -> None:
    log: list[str] = []

    @contextlib.asynccontextmanager
    async def app_lifespan(obj: Any) -> AsyncIterator[None]:
        log.append("app enter")
        yield
        log.append("app exit")

    @contextlib.asynccontextmanager
    async def broken(obj: Any) -> AsyncIterator[None]:
        msg = "cannot connect"
        raise ConnectionError(msg)
        yield  # pragma: no cover

    app = Jobify(storage=False, cron_factory=cron_factory, lifespan=app_lifespan)
    app.include_router(JobRouter(lifespan=broken))
    with pytest.raises(ConnectionError, match="cannot connect"):
        await app.startup()
    assert log == ["app enter", "app exit"]
    assert not app.configs.app_started


# --- Plugin objects -------------------------------------------------------------------------------


class RecordingPlugin:
    def __init__(self, label: str, log: list[Any]) -> None:
        self.label = label
        self.log = log

    async def startup(self, app: Jobify) -> None:
        self.log.append((self.label, "startup", app))

    async def shutdown(self) -> None:
        self.log.append((self.label, "shutdown"))


async def test_plugins_start_in_order_and_stop_in_reverse(cron_factory: Any) -> None:
    log: list[Any] = []
    first = RecordingPlugin("first", log)
    second = RecordingPlugin("second", log)
    app = Jobify(storage=False, cron_factory=cron_factory, plugins=[first])
    app.add_plugin(second)
    app.add_plugin(second)  # adding twice registers once
    assert app.plugins == {first, second}
    async with app:
        assert log == [("first", "startup", app), ("second", "startup", app)]
    assert log[2:] == [("second", "shutdown"), ("first", "shutdown")]


def test_add_plugin_checks_the_object(app: Jobify) -> None:
    with pytest.raises(TypeError, match="startup"):
        app.add_plugin(object())  # type: ignore[arg-type]


async def test_plugins_start_before_the_lifespans_and_stop_before_they_exit(
    cron_factory: Any,
) -> None:
    """As in jobify 0.14: a plugin can prepare what a lifespan uses, and cannot schedule yet."""
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(_app: Jobify) -> AsyncIterator[None]:
        events.append("lifespan enter")
        yield
        events.append("lifespan exit")

    app = Jobify(storage=False, cron_factory=cron_factory, lifespan=lifespan)

    @app.task
    async def warmup(x: int) -> int:
        return x * 2

    class Plugin:
        async def startup(self, app: Jobify) -> None:
            events.append("plugin up")
            with pytest.raises(ApplicationStateError):
                await warmup.push(21)

        async def shutdown(self) -> None:
            events.append("plugin down")

    app.add_plugin(Plugin())
    async with app:
        events.append("body")
    assert events == ["plugin up", "lifespan enter", "body", "plugin down", "lifespan exit"]


# --- INJECT ---------------------------------------------------------------------------------------


async def test_inject_fills_annotated_parameters(app: Jobify) -> None:
    got: dict[str, Any] = {}

    @app.task(metadata={"m": 1})
    async def f(
        x: int,
        ctx: JobContext = INJECT,
        state: State = INJECT,
        request_state: RequestState = INJECT,
        jobify: Jobify = INJECT,
        job: Job[Any] = INJECT,
        runnable: Runnable[Any] = INJECT,
        builder: ScheduleBuilder[Any] = INJECT,
        config: JobifyConfiguration = INJECT,
    ) -> int:
        got.update(
            ctx=ctx,
            state=state,
            request_state=request_state,
            jobify=jobify,
            job=job,
            runnable=runnable,
            builder=builder,
            config=config,
        )
        return x

    async with app:
        job = await f.push(7)
        await job.wait()
        second = await f.push(8)
        await second.wait()
    assert job.result() == 7
    ctx = got["ctx"]
    assert isinstance(ctx, JobContext)
    assert got["jobify"] is app
    assert got["job"] is second
    assert ctx.job is second
    assert got["state"] is ctx.state
    assert got["state"] is app.state
    assert isinstance(got["request_state"], RequestState)
    assert got["request_state"] is ctx.request_state
    assert got["runnable"] is ctx.runnable
    assert got["builder"] is ctx.schedule_builder
    assert got["config"] is app.configs
    assert ctx.route_options == {"metadata": {"m": 1}}
    # INJECT parameters are not part of the job's arguments
    assert ctx.runnable.origin_arguments == {"x": 8}


async def test_request_state_is_fresh_per_job(app: Jobify) -> None:
    @app.task
    async def f(rs: RequestState = INJECT) -> int:
        rs.count = rs.get("count", 0) + 1
        return rs.count

    async with app:
        jobs = [await f.push() for _ in range(3)]
        await app.wait_all()
    assert [j.result() for j in jobs] == [1, 1, 1]


async def test_inject_in_a_sync_task(app: Jobify) -> None:
    @app.task
    def f(job: Job[Any] = INJECT) -> str:
        return job.id

    async with app:
        job = await f.push()
        await job.wait()
    assert job.result() == job.id


def test_inject_without_annotation_fails_at_decoration(app: Jobify) -> None:
    def f(state=INJECT):  # type: ignore[no-untyped-def]
        return state

    with pytest.raises(ValueError, match="'state'") as info:
        app.task(f)
    assert "annotation" in str(info.value)
    assert list(app.routes) == []


def test_inject_with_an_unknown_annotation_fails_at_decoration(app: Jobify) -> None:
    # The reference fails at run time; failing at decoration says it sooner.
    def f(x: int = INJECT) -> int:
        return x

    with pytest.raises(ValueError, match="'x'") as info:
        app.task(f)
    assert "JobContext" in str(info.value)


# --- routers ----------------------------------------------------------------------------------------


def effective_name(route: Any) -> str:
    return getattr(route, "real_route", route).name


def test_router_prefix_names(app: Jobify) -> None:
    plain = JobRouter()
    pref = JobRouter(prefix="p")
    sub = JobRouter(prefix="sub")
    deeper = JobRouter()
    pref.include_router(sub)
    sub.include_router(deeper)

    @plain.task
    async def in_plain() -> None:
        return None

    @pref.task
    async def in_pref() -> None:
        return None

    @pref.task(name="explicit")
    async def in_pref_named() -> None:
        return None

    @sub.task
    async def in_sub() -> None:
        return None

    @deeper.task(name="deep")
    async def in_deeper() -> None:
        return None

    app.include_routers(plain, pref)
    default = f"{__name__}:test_router_prefix_names.<locals>."
    assert in_pref.name == default + "in_pref"  # prefixed once the app starts, as 0.14
    assert effective_name(in_plain) == default + "in_plain"
    assert effective_name(in_pref) == "p:" + default + "in_pref"
    assert effective_name(in_pref_named) == "p:explicit"
    assert effective_name(in_sub) == "p.sub:" + default + "in_sub"
    assert effective_name(in_deeper) == "p.sub:deep"
    assert sub.full_prefix() == "p.sub"
    assert deeper.full_prefix() == "p.sub"
    assert plain.full_prefix() == ""


async def test_prefixed_task_runs_under_its_effective_name(app: Jobify) -> None:
    router = JobRouter(prefix="billing")

    @router.task(name="charge")
    async def charge(amount: int, ctx: JobContext = INJECT) -> str:
        return f"{ctx.runnable.name}:{amount}"

    app.include_router(router)
    async with app:
        job = await charge.push(5)
        await job.wait()
    assert job.result() == "billing:charge:5"


async def test_routers_and_tasks_added_after_include(app: Jobify) -> None:
    outer = JobRouter(prefix="o")
    app.include_router(outer)
    inner = JobRouter(prefix="i")
    outer.include_router(inner)  # nested after the outer one was included

    @outer.task(name="a")
    async def a() -> str:
        return "a"

    @inner.task(name="b")
    async def b() -> str:
        return "b"

    async with app:
        jobs = [await a.push(), await b.push()]
        await app.wait_all()
    assert [j.result() for j in jobs] == ["a", "b"]
    assert effective_name(b) == "o.i:b"


async def test_router_task_before_include_cannot_be_scheduled(app: Jobify) -> None:
    router = JobRouter()

    @router.task
    async def f() -> None:
        return None

    with pytest.raises(RuntimeError, match="include"):  # a RuntimeError, as in jobify 0.14
        f.schedule()
    async with app:
        with pytest.raises(RuntimeError, match="include"):
            await f.push()


def test_include_router_errors(app: Jobify) -> None:
    router = JobRouter()
    app.include_router(router)
    with pytest.raises(RuntimeError, match="already included"):
        app.include_router(router)
    with pytest.raises(RuntimeError, match="already included"):
        JobRouter().include_router(router)
    child = JobRouter()
    router.include_router(child)
    top, below = JobRouter(), JobRouter()
    top.include_router(below)
    with pytest.raises(RuntimeError, match="ancestor"):
        below.include_router(top)
    lone = JobRouter()
    with pytest.raises(RuntimeError, match="itself"):
        lone.include_router(lone)
    with pytest.raises(ValueError, match="at least one"):
        app.include_routers()
    with pytest.raises(TypeError, match="JobRouter"):
        app.include_router(object())  # type: ignore[arg-type]
    assert app.sub_routers == [router]
    assert router.sub_routers == [child]
    assert child.parent is router


def test_router_argument_checks() -> None:
    with pytest.raises(ValueError, match="prefix"):
        JobRouter(prefix="")
    with pytest.raises(TypeError, match="state"):
        JobRouter(state=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="exception_handlers"):
        JobRouter(exception_handlers={ValueError: "not callable"})  # type: ignore[dict-item]


async def test_middleware_with_startup_is_started_on_routers_too(app):
    from jobify import JobRouter

    events = []

    class Managed:
        async def startup(self, app_):
            events.append(("startup", app_ is app))

        async def shutdown(self):
            events.append(("shutdown", True))

        async def __call__(self, call_next, context):
            return await call_next(context)

    shared = Managed()
    router = JobRouter(middleware=[shared, Managed()])
    app.add_middleware(shared)

    @router.task
    async def job() -> int:
        return 1

    app.include_router(router)
    async with app:
        j = await job.push()
        await j.wait()
    assert j.result() == 1
    assert events == [("startup", True)] * 2 + [("shutdown", True)] * 2
