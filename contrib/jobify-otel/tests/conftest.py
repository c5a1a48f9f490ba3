"""Fixtures: OpenTelemetry SDK providers that keep spans and metrics in memory, per test.

The plugin is installed, so every app built here (autoload on, no stray
``jobify.toml``) loads it. ``otel`` points the plugin at a fresh tracer and
meter provider for the test (``jobify_otel.use_providers``) and back at the
global ones afterwards, so nothing leaks into other tests. With
``--import-mode=importlib`` test modules cannot import this file, so helpers
are reached through fixtures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import jobify_otel


@pytest.fixture(autouse=True)
def _no_stray_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps read no jobify.toml unless a test writes one; plugins load as installed."""
    monkeypatch.setenv("JOBIFY_CONFIG", "")
    monkeypatch.delenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", raising=False)


class Otel:
    """What the plugin recorded during one test."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.tracer = self.tracer_provider.get_tracer("tests")

    def spans(self, prefix: str = "run ") -> list[ReadableSpan]:
        """Finished spans whose name starts with ``prefix``, in the order they ended."""
        return [s for s in self.exporter.get_finished_spans() if s.name.startswith(prefix)]

    def points(self, name: str) -> dict[frozenset[tuple[str, Any]], Any]:
        """The data points of metric ``name``, by their attributes."""
        data = self.reader.get_metrics_data()
        found: dict[frozenset[tuple[str, Any]], Any] = {}
        if data is None:
            return found
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        for point in metric.data.data_points:
                            found[frozenset((point.attributes or {}).items())] = point
        return found

    def value(self, name: str, **attributes: str) -> Any:
        """A counter's value (a histogram's count) for these ``jobify.*`` attributes, or 0."""
        key = frozenset((f"jobify.{k}", v) for k, v in attributes.items())
        point = self.points(name).get(key)
        if point is None:
            return 0
        return getattr(point, "value", None) if hasattr(point, "value") else point.count


@pytest.fixture
def otel() -> Iterator[Otel]:
    """The plugin records into in-memory SDK providers for this test."""
    recorded = Otel()
    jobify_otel.use_providers(recorded.tracer_provider, recorded.meter_provider)
    try:
        yield recorded
    finally:
        jobify_otel.use_providers()
        recorded.tracer_provider.shutdown()
        recorded.meter_provider.shutdown()


@pytest.fixture
def until() -> Callable[..., Any]:
    """``await until(predicate, timeout)``: poll the loop until it holds."""

    async def wait(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.01)

    return wait
