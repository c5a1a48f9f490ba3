"""``maxsize``: a full queue makes the next job wait to enter; nothing is lost."""

from __future__ import annotations

import asyncio

from jobify import Jobify, JobStatus
from jobify_queue import PriorityJobQueue, QueueMiddleware


class MeasuredQueue(PriorityJobQueue):
    """Records the largest size the queue reached."""

    peak = 0

    def _put(self, item):
        super()._put(item)
        self.peak = max(self.peak, self.qsize())


async def test_put_waits_while_the_queue_is_full(until):
    queue = MeasuredQueue(3)
    mw = QueueMiddleware(queue, 1)
    app = Jobify(storage=False, middleware=[mw])
    gate = asyncio.Event()
    ran: list[int] = []

    blocked = asyncio.Event()

    @app.task
    async def blocker() -> None:
        blocked.set()
        await gate.wait()

    @app.task
    async def job(i: int) -> int:
        ran.append(i)
        return i

    async with app:
        await blocker.push()
        await blocked.wait()
        jobs = [await job.push(i) for i in range(10)]
        await until(lambda: queue.full())
        await asyncio.sleep(0.02)  # the other seven stay outside, waiting in put()
        assert queue.qsize() == 3
        assert all(j.status is JobStatus.RUNNING for j in jobs)
        gate.set()
        await app.wait_all(timeout=5)
    assert queue.peak == 3
    assert ran == list(range(10))  # equal priority: arrival order, inside and outside
    assert [j.result() for j in jobs] == list(range(10))


async def test_a_job_cancelled_while_waiting_to_enter_is_never_queued(until):
    queue = MeasuredQueue(1)
    mw = QueueMiddleware(queue, 1)
    app = Jobify(storage=False, middleware=[mw])
    gate = asyncio.Event()
    ran: list[int] = []

    blocked = asyncio.Event()

    @app.task
    async def blocker() -> None:
        blocked.set()
        await gate.wait()

    @app.task
    async def job(i: int) -> None:
        ran.append(i)

    async with app:
        await blocker.push()
        await blocked.wait()
        jobs = [await job.push(i) for i in range(3)]
        await until(lambda: queue.full())
        await asyncio.sleep(0.01)
        await jobs[2].cancel()  # waiting in put(), the queue holds job 0
        assert jobs[2].status is JobStatus.CANCELLED
        gate.set()
        await app.wait_all(timeout=5)
    assert ran == [0, 1]
    assert queue.peak == 1


async def test_maxsize_from_the_constructor(make_app):
    app, mw = make_app(workers=2, maxsize=4)
    assert mw.queue.maxsize == 4
    done = 0

    @app.task
    async def job() -> None:
        nonlocal done
        await asyncio.sleep(0)
        done += 1

    async with app:
        for _ in range(50):
            await job.push()
        await app.wait_all(timeout=5)
    assert done == 50
