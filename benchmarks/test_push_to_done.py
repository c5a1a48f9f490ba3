"""push -> done latency and burst throughput, per plugin combination.

Timed runs: `make bench` (adds --benchmark-enable). In `make test` each
benchmark runs once, as a smoke test, so the suites cannot rot.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from jobify.testing.combos import Combo

SEQUENTIAL = 200
BURST = 2_000


def make_app(combo: Combo, directory: Path):  # type: ignore[no-untyped-def]
    app = combo.app(directory)

    @app.task
    async def noop(x: int) -> int:
        return x

    return app, noop


@pytest.mark.benchmark(group=f"push -> done, sequential x{SEQUENTIAL}")
def test_sequential_latency(benchmark, combo: Combo, tmp_path: Path) -> None:
    app, noop = make_app(combo, tmp_path)

    async def run() -> None:
        async with app:
            for i in range(SEQUENTIAL):
                job = await noop.push(i)
                await job.wait()
                assert job.result() == i

    benchmark.extra_info.update(combo.as_dict(), jobs=SEQUENTIAL)
    benchmark.pedantic(lambda: asyncio.run(run()), rounds=3, warmup_rounds=1, iterations=1)


@pytest.mark.benchmark(group=f"burst: {BURST} gathered pushes then wait_all")
def test_burst_throughput(benchmark, combo: Combo, tmp_path: Path) -> None:
    app, noop = make_app(combo, tmp_path)

    async def run() -> None:
        async with app:
            jobs = await asyncio.gather(*(noop.push(i) for i in range(BURST)))
            await app.wait_all(timeout=60)
            assert all(j.status.value == "success" for j in jobs)

    benchmark.extra_info.update(combo.as_dict(), jobs=BURST)
    benchmark.pedantic(lambda: asyncio.run(run()), rounds=3, warmup_rounds=1, iterations=1)
