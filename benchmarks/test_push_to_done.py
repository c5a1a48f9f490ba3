"""push -> done latency, burst throughput and message round trip, per cell.

Timed runs: ``make bench`` (adds --benchmark-enable): 1,000 sequential jobs,
10,000-job bursts. In ``make test`` (--benchmark-disable) each benchmark runs
once with tiny sizes, as a smoke test, so the suites cannot rot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import operator
import tempfile
from pathlib import Path
from typing import Any

import pytest

from jobify import RunMode
from jobify.testing.combos import Combo

from .conftest import Cell

SEQUENTIAL = (1_000, 5)  # (timed, smoke)
BURST = (10_000, 20)
ROUND_TRIPS = (1_000, 3)


async def async_noop(x: int) -> int:
    return x


def make_app(cell: Cell, directory: Path) -> tuple[Any, Any]:
    app = cell.combo.app(directory)
    if cell.run_mode == "main":
        return app, app.task(async_noop)
    mode = RunMode.THREAD if cell.run_mode == "thread" else RunMode.PROCESS
    # a stdlib function: the process pool's workers import it by name, and this
    # test module is not importable there (importlib mode)
    return app, app.task(operator.index, run_mode=mode)


def fresh_dir(parent: Path) -> Path:
    """A new directory per round: each round starts a fresh app on an empty database
    (an app is not restarted on a second event loop)."""
    return Path(tempfile.mkdtemp(dir=parent))


def size(benchmark: Any, sizes: tuple[int, int]) -> int:
    return sizes[1] if benchmark.disabled else sizes[0]


@pytest.mark.benchmark(group="push -> done, sequential (1,000 jobs)")
def test_sequential_latency(benchmark, cell: Cell, tmp_path: Path) -> None:
    n = size(benchmark, SEQUENTIAL)

    async def run(app: Any, task: Any) -> None:
        async with app:
            for i in range(n):
                job = await task.push(i)
                await job.wait()
                assert job.result() == i

    benchmark.extra_info.update(cell.combo.as_dict(), run_mode=cell.run_mode, jobs=n)
    benchmark.pedantic(
        lambda app, task: asyncio.run(run(app, task)),
        setup=lambda: (make_app(cell, fresh_dir(tmp_path)), {}),
        rounds=3,
        warmup_rounds=1,
        iterations=1,
    )


@pytest.mark.benchmark(group="burst: 10,000 gathered pushes then wait_all")
def test_burst_throughput(benchmark, cell: Cell, tmp_path: Path) -> None:
    n = size(benchmark, BURST)

    async def run(app: Any, task: Any) -> None:
        async with app:
            jobs = await asyncio.gather(*(task.push(i) for i in range(n)))
            await app.wait_all(timeout=120)
            assert all(j.status.value == "success" for j in jobs)

    benchmark.extra_info.update(cell.combo.as_dict(), run_mode=cell.run_mode, jobs=n)
    benchmark.pedantic(
        lambda app, task: asyncio.run(run(app, task)),
        setup=lambda: (make_app(cell, fresh_dir(tmp_path)), {}),
        rounds=3,
        warmup_rounds=1,
        iterations=1,
    )


ORDER: dict[str, Any] = {
    "order_id": 918_273_645,
    "customer": {"id": "c-1029", "email": "ada@example.com", "vip": True},
    "lines": [{"sku": f"SKU-{i:04d}", "qty": i % 5 + 1, "price": 9.99 + i} for i in range(10)],
    "note": "leave at the door, ring twice",
    "created": "2026-11-29T03:00:00+00:00",
}


@pytest.mark.benchmark(group="message round trip (dump+dumpb+loadb+load) x1,000")
def test_serializer_round_trip(benchmark, codec_combo: Combo, tmp_path: Path) -> None:
    n = size(benchmark, ROUND_TRIPS)
    configs = codec_combo.app(tmp_path).configs
    dumper, loader, serializer = configs.dumper, configs.loader, configs.serializer
    tp = dict[str, Any]
    at = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC).isoformat()

    def run() -> None:
        for _ in range(n):
            message = {"v": 1, "args": {"order": dumper.dump(ORDER, tp)}, "at": at}
            back = serializer.loadb(serializer.dumpb(message))
            assert loader.load(back["args"]["order"], tp)["order_id"] == ORDER["order_id"]

    benchmark.extra_info.update(codec_combo.as_dict(), messages=n)
    benchmark.pedantic(run, rounds=5, warmup_rounds=1, iterations=1)
