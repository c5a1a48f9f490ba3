"""What asyncio alone costs for the shapes of throughput-nostore and latency-nostore.

Usage::

    python benchmarks/floor.py            # 10,000 jobs per shape, 5 rounds
    python benchmarks/floor.py --n 500 --rounds 1

The race's storage-off scenarios measure a scheduler on top of asyncio. This
script runs the same shapes with no scheduler at all, only what any asyncio
scheduler that runs each job as a task must do: the burst gathers one
coroutine per job, each starting one task (throughput-nostore); the awaited
one starts a task and awaits a future it resolves (latency-nostore). A
scheduler cannot go below these figures while it runs jobs as tasks, which
``asyncio.timeout`` and ``current_task()`` inside a job need.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time


async def _job(x: int) -> int:
    return x


class _Live:
    """The running tasks, and an event set when the last one ends (an app's wait_all)."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[int]] = set()
        self.idle = asyncio.Event()

    def add(self, task: asyncio.Task[int]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self.ended)

    def ended(self, task: asyncio.Task[int]) -> None:
        self.tasks.discard(task)
        if not self.tasks:
            self.idle.set()


async def _push(loop: asyncio.AbstractEventLoop, i: int, live: _Live) -> None:
    live.add(loop.create_task(_job(i)))


async def burst(n: int) -> float:
    """Jobs per second: ``n`` pushes gathered, each starting a task, until all ran."""
    loop = asyncio.get_running_loop()
    live = _Live()
    started = time.perf_counter()
    await asyncio.gather(*(_push(loop, i, live) for i in range(n)))
    await live.idle.wait()
    return n / (time.perf_counter() - started)


async def _resolve(x: int, done: asyncio.Future[int]) -> None:
    done.set_result(x)


async def awaited(n: int) -> float:
    """Microseconds per job: start a task, await the future it resolves, one at a time."""
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    for i in range(n):
        done: asyncio.Future[int] = loop.create_future()
        running = loop.create_task(_resolve(i, done))
        await done
        del running  # it ended when it resolved ``done``
    return (time.perf_counter() - started) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    jobs_per_s = [asyncio.run(burst(args.n)) for _ in range(args.rounds)]
    latency_us = [asyncio.run(awaited(args.n)) for _ in range(args.rounds)]
    print(
        json.dumps(
            {
                "throughput_floor_jobs_per_s": round(statistics.median(jobs_per_s)),
                "latency_floor_us": round(statistics.median(latency_us), 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
