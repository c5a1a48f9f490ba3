"""A span per run, linked to the span that scheduled the job; status, attempt and error recorded."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, StatusCode

from jobify import Jobify
from jobify_otel.telemetry import TELEMETRY


def new_app() -> Jobify:
    return Jobify(storage=False)


async def test_a_run_span_links_to_the_span_that_pushed_it(otel: Any) -> None:
    app = new_app()

    @app.task(name="send")
    async def send(to: str) -> str:
        return to

    async with app:
        with otel.tracer.start_as_current_span("request") as request:
            job = await send.push("ada")
        await job.wait()
    producer = request.get_span_context()
    assert job.headers is not None
    assert job.headers["traceparent"].startswith(
        f"00-{producer.trace_id:032x}-{producer.span_id:016x}-"
    )
    (span,) = otel.spans()
    assert span.name == "run send"
    assert span.kind is SpanKind.CONSUMER
    assert span.parent is None  # a trace of its own ...
    assert span.context.trace_id != producer.trace_id
    (link,) = span.links  # ... linked to the request that scheduled it
    assert (link.context.trace_id, link.context.span_id) == (producer.trace_id, producer.span_id)
    assert link.attributes == {"jobify.link": "scheduled_by"}
    assert span.attributes is not None
    assert span.attributes["jobify.task"] == "send"
    assert span.attributes["jobify.job.id"] == job.id
    assert span.attributes["jobify.run.attempt"] == 1
    assert span.attributes["jobify.status"] == "success"
    assert span.attributes["jobify.run.planned_at"] == job.exec_at.isoformat()
    assert span.status.status_code is StatusCode.UNSET


async def test_a_job_scheduled_outside_any_span_has_no_headers_and_no_link(otel: Any) -> None:
    app = new_app()

    @app.task(name="plain")
    async def plain() -> None:
        return None

    async with app:
        job = await plain.schedule().delay(0)
        await job.wait()
    assert job.headers is None
    (span,) = otel.spans()
    assert span.links == ()


async def test_a_failed_run_records_the_error_the_retries_and_the_last_attempt(otel: Any) -> None:
    app = new_app()

    @app.task(name="flaky", retry=2)
    async def flaky() -> None:
        raise ValueError("no luck")

    async with app:
        job = await flaky.push()
        await job.wait()
    (span,) = otel.spans()
    assert span.attributes is not None
    assert span.attributes["jobify.status"] == "failed"
    assert span.attributes["jobify.run.attempt"] == 3
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "ValueError: no luck"
    events = [e.name for e in span.events]
    assert events == ["retry", "retry", "exception"]
    assert [e.attributes["jobify.run.attempt"] for e in span.events[:2]] == [1, 2]  # type: ignore[index]
    exception = span.events[2].attributes
    assert exception is not None
    assert exception["exception.type"] == "ValueError"
    assert otel.value("jobify.run.retries", task="flaky") == 2
    assert otel.value("jobify.runs", task="flaky", status="failed") == 1


async def test_a_timeout_is_an_error_with_status_timeout(otel: Any) -> None:
    app = new_app()

    @app.task(name="slow", timeout=0.05)
    async def slow() -> None:
        await asyncio.sleep(5)

    async with app:
        job = await slow.push()
        await job.wait()
    (span,) = otel.spans()
    assert span.attributes is not None
    assert span.attributes["jobify.status"] == "timeout"
    assert span.status.status_code is StatusCode.ERROR


async def test_the_run_span_is_current_in_the_task(otel: Any) -> None:
    app = new_app()

    @app.task(name="outer")
    async def outer() -> None:
        with otel.tracer.start_as_current_span("inside"):
            pass

    async with app:
        await (await outer.push()).wait()
    (inside,) = otel.spans("inside")
    (run,) = otel.spans("run ")
    assert inside.parent is not None
    assert inside.parent.span_id == run.context.span_id


async def test_a_job_pushed_by_a_run_links_to_that_run(otel: Any) -> None:
    app = new_app()

    @app.task(name="child")
    async def child() -> None:
        return None

    @app.task(name="parent")
    async def parent() -> None:
        await (await child.push()).wait()

    async with app:
        await (await parent.push()).wait()
    (run_child,) = otel.spans("run child")
    (run_parent,) = otel.spans("run parent")
    (link,) = run_child.links
    assert link.context.span_id == run_parent.context.span_id


async def test_every_run_of_a_cron_job_links_to_the_span_that_scheduled_it(otel: Any) -> None:
    app = new_app()
    runs = 0

    @app.task(name="tick")
    async def tick() -> None:
        nonlocal runs
        runs += 1

    async with app:
        with otel.tracer.start_as_current_span("deploy") as deploy:
            job = await tick.schedule().cron("* * * * * * *", job_id="ticker")
        async with asyncio.timeout(10):
            while runs < 2:
                await asyncio.sleep(0.05)
        await job.cancel()
    spans = otel.spans("run tick")
    assert len(spans) >= 2
    for span in spans:
        (link,) = span.links
        assert link.context.span_id == deploy.get_span_context().span_id
        assert span.attributes is not None
        assert span.attributes["jobify.cron"] == "* * * * * * *"
    assert len({s.context.trace_id for s in spans}) == len(spans)  # one trace per run


async def test_a_run_cancelled_midway_ends_its_span_as_cancelled(otel: Any, until: Any) -> None:
    app = new_app()
    started = asyncio.Event()

    @app.task(name="long")
    async def long() -> None:
        started.set()
        await asyncio.sleep(30)

    async with app:
        job = await long.push()
        await started.wait()
        await job.cancel()
        await until(lambda: otel.spans())
    (span,) = otel.spans()
    assert span.attributes is not None
    assert span.attributes["jobify.status"] == "cancelled"
    assert otel.value("jobify.runs", task="long", status="cancelled") == 1
    assert not TELEMETRY._runs  # nothing left behind


async def test_a_broken_propagator_never_fails_a_push(
    otel: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = new_app()

    @app.task(name="fine")
    async def fine() -> int:
        return 1

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("propagator bug")

    monkeypatch.setattr(propagate, "inject", broken)
    async with app:
        with otel.tracer.start_as_current_span("request"):
            job = await fine.push()
        assert await job == 1
    assert job.headers is None
    assert "could not read the current trace context" in caplog.text


async def test_without_an_sdk_or_an_endpoint_the_observers_return_at_once() -> None:
    # the global providers of this process are the API's no-op ones
    assert not trace.get_current_span().get_span_context().is_valid
    app = new_app()

    @app.task(name="untraced")
    async def untraced() -> None:
        assert not TELEMETRY._active  # decided at startup: nothing to record into
        assert not TELEMETRY._runs

    async with app:
        job = await untraced.push()
        await job.wait()
    assert job.headers is None
    assert job.status.value == "success"
