"""Chosen from ``jobify.toml``: ``[[jobify.middleware]] use = "queue"`` with its options."""

from __future__ import annotations

import asyncio

import pytest

import jobify_queue._hooks
from jobify import Jobify, JobStatus
from jobify.exceptions import ConfigError


def _app(tmp_path, body: str) -> Jobify:
    path = tmp_path / "jobify.toml"
    path.write_text(body)
    return Jobify.from_config(
        path, hook_plugins=[jobify_queue._hooks], autoload=False, storage=False
    )


async def test_selected_by_name_with_its_options(tmp_path):
    app = _app(tmp_path, '[[jobify.middleware]]\nuse = "queue"\nworkers = 3\nmaxsize = 0\n')
    running = peak = 0

    @app.task
    async def work(i: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001)
        running -= 1
        return i

    async with app:
        jobs = [await work.push(i) for i in range(60)]
        await app.wait_all(timeout=10)
    assert peak == 3
    assert all(j.status is JobStatus.SUCCESS for j in jobs)


async def test_priority_from_metadata_applies_when_selected_from_the_file(tmp_path):
    app = _app(tmp_path, '[[jobify.middleware]]\nuse = "queue"\nworkers = 1\n')
    order: list[str] = []
    gate, blocked = asyncio.Event(), asyncio.Event()

    @app.task
    async def blocker() -> None:
        blocked.set()
        await gate.wait()

    @app.task(metadata={"priority": 1})
    async def high() -> None:
        order.append("high")

    @app.task
    async def low() -> None:
        order.append("low")

    async with app:
        await blocker.push()
        await blocked.wait()
        await low.push()
        await high.push()
        await asyncio.sleep(0.01)
        gate.set()
        await app.wait_all(timeout=5)
    assert order == ["high", "low"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("workers = 0", "QueueMiddleware(workers=0): expected an int >= 1"),
        ('workers = "many"', "QueueMiddleware(workers='many')"),
        ("maxsize = -1", "QueueMiddleware(maxsize=-1): expected an int >= 0"),
        ("worker = 3", "unknown option 'worker'"),
        ('queue = "fifo"', "expected a JobifyQueue"),
    ],
)
def test_bad_options_fail_at_assembly_with_the_file(tmp_path, options, expected):
    with pytest.raises(ConfigError) as info:
        _app(tmp_path, f'[[jobify.middleware]]\nuse = "queue"\n{options}\n')
    message = str(info.value)
    assert "jobify.toml" in message
    assert expected in message
