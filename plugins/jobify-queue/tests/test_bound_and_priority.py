"""Under load: never more than ``workers`` jobs at once, and the most urgent start first."""

from __future__ import annotations

import asyncio
import random

from jobify import JobStatus


async def test_at_most_workers_jobs_run_at_once(make_app):
    app, mw = make_app(workers=5)
    running = peak = 0

    @app.task
    async def work(i: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (i % 4))
        running -= 1
        return i * 2

    async with app:
        jobs = [await work.push(i) for i in range(200)]
        await app.wait_all(timeout=20)
    assert peak == 5
    assert running == 0
    assert [j.status for j in jobs] == [JobStatus.SUCCESS] * 200
    assert [j.result() for j in jobs] == [i * 2 for i in range(200)]


async def test_bound_holds_for_sync_and_thread_tasks(make_app):
    app, _ = make_app(workers=2)
    lock = asyncio.Lock()
    running = peak = 0

    @app.task
    async def work() -> None:
        nonlocal running, peak
        async with lock:
            running += 1
            peak = max(peak, running)
        await asyncio.sleep(0.002)
        running -= 1

    @app.task
    def sync_work(i: int) -> int:
        return i

    async with app:
        jobs = [await work.push() for _ in range(20)]
        sync_jobs = [await sync_work.push(i) for i in range(20)]
        await app.wait_all(timeout=20)
    assert peak == 2
    assert all(j.status is JobStatus.SUCCESS for j in jobs)
    assert [j.result() for j in sync_jobs] == list(range(20))


async def test_higher_priority_starts_first_fifo_among_equals(make_app, until):
    app, mw = make_app(workers=3)
    gate = asyncio.Event()
    started: list[tuple[int, int]] = []
    levels = [-3, 0, 1, 5, 10]
    tasks = {}
    for level in levels:

        @app.task(name=f"p{level}", metadata={"priority": level})
        async def job(seq: int, level: int = level) -> None:
            started.append((level, seq))

        tasks[level] = job

    blocked = 0

    @app.task(metadata={"priority": -100})
    async def blocker() -> None:
        nonlocal blocked
        blocked += 1
        await gate.wait()

    rng = random.Random(7)
    plan = [rng.choice(levels) for _ in range(150)]
    async with app:
        for _ in range(3):
            await blocker.push()
        await until(lambda: blocked == 3)
        for seq, level in enumerate(plan):
            await tasks[level].push(seq)
        await until(lambda: mw.queue.qsize() == len(plan))
        gate.set()
        await app.wait_all(timeout=20)
    expected = sorted(((lvl, seq) for seq, lvl in enumerate(plan)), key=lambda t: (-t[0], t[1]))
    assert started == expected


async def test_priority_semantics_match_the_reference(make_app, until):
    # Probed on jobify 0.14: with one busy worker, pushing 0, 5, -3, 10, 1 runs 10, 5, 1, 0, -3.
    app, mw = make_app(workers=1)
    gate = asyncio.Event()
    order: list[float] = []
    tasks = {}
    for p in [0, 5, -3, 10, 1, 2.5]:

        @app.task(name=f"t{p}", metadata={"priority": p})
        async def t(p: float = p) -> None:
            order.append(p)

        tasks[p] = t

    blocked = asyncio.Event()

    @app.task
    async def blocker() -> None:
        blocked.set()
        await gate.wait()

    async with app:
        await blocker.push()
        await blocked.wait()
        for p in tasks:
            await tasks[p].push()
        await until(lambda: mw.queue.qsize() == len(tasks))
        gate.set()
        await app.wait_all(timeout=5)
    assert order == [10, 5, 2.5, 1, 0, -3]


async def test_queued_jobs_are_running_and_carry_the_negated_priority(make_app, until):
    app, mw = make_app(workers=1)
    gate = asyncio.Event()

    blocked = asyncio.Event()

    @app.task
    async def blocker() -> None:
        blocked.set()
        await gate.wait()

    @app.task(metadata={"priority": 4, "owner": "billing"})
    async def urgent() -> None:
        pass

    async with app:
        await blocker.push()
        await blocked.wait()
        job = await urgent.push()
        await until(lambda: mw.queue.qsize() == 1)
        assert job.status is JobStatus.RUNNING  # as the reference reports a queued job
        (entry,) = mw.queue._queue  # (key, seq, item)
        assert entry[2].priority == -4 and entry[2].context.job is job
        gate.set()
        await job.wait()
    assert job.status is JobStatus.SUCCESS


async def test_a_bad_priority_fails_the_job_with_a_clear_error(make_app):
    app, _ = make_app(workers=2)

    @app.task(metadata={"priority": "high"})
    async def wordy() -> None:
        raise AssertionError("must not run")

    @app.task(metadata={"priority": None})
    async def empty() -> None:
        raise AssertionError("must not run")

    @app.task(metadata={"priority": True})
    async def boolean() -> None:
        raise AssertionError("must not run")

    @app.task(metadata={"priority": float("nan")})
    async def nan() -> None:
        raise AssertionError("must not run")

    async with app:
        jobs = [await t.push() for t in (wordy, empty, boolean, nan)]
        await app.wait_all(timeout=5)
    for job, shown in zip(jobs, ["'high'", "None", "True", "nan"], strict=True):
        assert job.status is JobStatus.FAILED
        assert isinstance(job.exception, TypeError)
        assert "metadata['priority'] must be a number" in str(job.exception)
        assert f"got {shown}" in str(job.exception)


async def test_an_asyncio_priority_queue_can_be_passed(until):
    from jobify import Jobify
    from jobify_queue import QueueMiddleware

    queue = asyncio.PriorityQueue()
    app = Jobify(storage=False, middleware=[QueueMiddleware(queue, 1)])
    gate, blocked = asyncio.Event(), asyncio.Event()
    order: list[int] = []

    @app.task
    async def blocker() -> None:
        blocked.set()
        await gate.wait()

    tasks = {}
    for p in (1, 9, 5):

        @app.task(name=f"q{p}", metadata={"priority": p})
        async def job(p: int = p) -> None:
            order.append(p)

        tasks[p] = job

    async with app:
        await blocker.push()
        await blocked.wait()
        for p in tasks:
            await tasks[p].push()
        await until(lambda: queue.qsize() == 3)
        gate.set()
        await app.wait_all(timeout=5)
    assert order == [9, 5, 1]
