"""``Item``, the default ``PriorityJobQueue`` and the constructor's checks, without an app."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from jobify.exceptions import ApplicationStateError
from jobify_queue import Item, PriorityJobQueue, QueueMiddleware


def _item(priority, tag=None):
    async def call_next(context):
        return tag

    return Item(call_next, tag, None, priority)


# --- Item ---------------------------------------------------------------------


def test_item_is_the_reference_named_tuple():
    assert Item._fields == ("call_next", "context", "future", "priority")
    assert Item._field_defaults == {"priority": 0}
    assert list(inspect.signature(Item).parameters) == list(Item._fields)


def test_items_compare_by_priority_only():
    low, high, same = _item(1, "a"), _item(2, "b"), _item(1, "c")
    assert low < high and high > low and low <= same and low >= same
    assert not low < same and not same < low
    assert sorted([high, low]) == [low, high]


async def test_asyncio_priority_queue_accepts_items():
    queue: asyncio.PriorityQueue[Item] = asyncio.PriorityQueue()
    for p in (3, -1, 2):
        queue.put_nowait(_item(p))
    assert [queue.get_nowait().priority for _ in range(3)] == [-1, 2, 3]


# --- PriorityJobQueue ---------------------------------------------------------


async def test_smallest_key_first_and_fifo_among_equals():
    queue = PriorityJobQueue()
    keys = [0, -5, 0, 3, -5, 0, -10, 3]
    for i, key in enumerate(keys):
        await queue.put(_item(key, i))
    out = [(await queue.get()).context for _ in keys]
    assert out == sorted(range(len(keys)), key=lambda i: (keys[i], i))
    assert queue.empty()


async def test_fifo_among_many_equals():
    queue = PriorityJobQueue()
    for i in range(500):
        queue.put_nowait(_item(0, i))
    assert [queue.get_nowait().context for _ in range(500)] == list(range(500))


async def test_put_waits_while_full():
    queue = PriorityJobQueue(2)
    await queue.put(_item(0, "a"))
    await queue.put(_item(0, "b"))
    assert queue.full()
    third = asyncio.ensure_future(queue.put(_item(-9, "c")))
    await asyncio.sleep(0.01)
    assert not third.done() and queue.qsize() == 2
    assert (await queue.get()).context == "a"
    await asyncio.wait_for(third, 1)
    assert [queue.get_nowait().context for _ in range(2)] == ["c", "b"]


async def test_unbounded_with_maxsize_zero():
    queue = PriorityJobQueue(0)
    for i in range(5000):
        queue.put_nowait(_item(i % 7, i))
    assert queue.qsize() == 5000 and not queue.full()


# --- QueueMiddleware options --------------------------------------------------


def test_signature_keeps_the_reference_positional_order():
    params = inspect.signature(QueueMiddleware).parameters
    assert list(params) == ["queue", "workers", "maxsize"]
    assert params["workers"].default == 100
    assert params["maxsize"].kind is inspect.Parameter.KEYWORD_ONLY


def test_defaults_match_the_reference():
    mw = QueueMiddleware()
    assert mw.workers == 100
    assert isinstance(mw.queue, PriorityJobQueue)
    assert mw.queue.maxsize == 1024
    assert QueueMiddleware(maxsize=0).queue.maxsize == 0
    assert QueueMiddleware(None, 7).workers == 7


@pytest.mark.parametrize(
    ("kwargs", "exc", "text"),
    [
        ({"workers": 0}, ValueError, "QueueMiddleware(workers=0): expected an int >= 1"),
        ({"workers": -3}, ValueError, "workers=-3"),
        ({"workers": 1.5}, TypeError, "workers=1.5"),
        ({"workers": "2"}, TypeError, "workers='2'"),
        ({"workers": True}, TypeError, "workers=True"),
        ({"maxsize": -1}, ValueError, "QueueMiddleware(maxsize=-1): expected an int >= 0"),
        ({"maxsize": 2.0}, TypeError, "maxsize=2.0"),
        ({"maxsize": False}, TypeError, "maxsize=False"),
    ],
)
def test_bad_options_fail_in_the_constructor(kwargs, exc, text):
    with pytest.raises(exc) as info:
        QueueMiddleware(**kwargs)
    assert text in str(info.value)


def test_maxsize_cannot_size_a_custom_queue():
    with pytest.raises(ValueError, match=r"maxsize sizes the default queue"):
        QueueMiddleware(asyncio.PriorityQueue(), maxsize=10)


def test_queue_must_look_like_a_jobify_queue():
    with pytest.raises(TypeError, match=r"missing get, task_done"):
        QueueMiddleware(queue=type("Half", (), {"put": lambda self, item: None})())
    with pytest.raises(TypeError, match=r"expected a JobifyQueue"):
        QueueMiddleware(queue="fifo")


def test_custom_queue_is_used_as_given():
    queue: asyncio.Queue[Item] = asyncio.Queue()
    assert QueueMiddleware(queue, 3).queue is queue


# --- lifecycle without an app -------------------------------------------------


class _Ctx:
    def __init__(self, priority=None):
        self.route_options = {} if priority is None else {"metadata": {"priority": priority}}
        self.job = type("J", (), {"id": "job-1"})()
        self.runnable = type("R", (), {"name": "mod:task"})()


async def test_calling_before_startup_is_a_clear_error():
    mw = QueueMiddleware(workers=1)

    async def call_next(context):
        return 1

    with pytest.raises(ApplicationStateError) as info:
        await mw(call_next, _Ctx())
    message = str(info.value)
    assert "job 'job-1'" in message and "not started" in message
    assert "Jobify(middleware=[...])" in message and "startup(app)" in message


async def test_startup_shutdown_and_restart_drive_the_workers():
    mw = QueueMiddleware(workers=3)
    before = asyncio.all_tasks()

    async def call_next(context):
        return context.route_options["metadata"]["priority"] * 2

    await mw.startup(None)
    assert len(asyncio.all_tasks() - before) == 3
    assert "started" in repr(mw)
    with pytest.raises(ApplicationStateError, match=r"already running"):
        await mw.startup(None)
    assert await mw(call_next, _Ctx(21)) == 42
    await mw.shutdown()
    assert asyncio.all_tasks() == before
    await mw.shutdown()  # a second shutdown does nothing
    await mw.startup(None)
    assert await mw(call_next, _Ctx(2)) == 4
    await mw.shutdown()
    assert asyncio.all_tasks() == before


async def test_shutdown_runs_the_items_left_in_the_queue_first():
    # as jobify 0.14's shutdown does: what was queued runs, in priority order
    mw = QueueMiddleware(workers=1)
    await mw.startup(None)
    started, release = asyncio.Event(), asyncio.Event()
    ran: list[int] = []

    async def hold(context):
        started.set()
        await release.wait()
        return "held"

    def record(n):
        async def call_next(context):
            ran.append(n)
            return n

        return call_next

    holder = asyncio.ensure_future(mw(hold, _Ctx()))
    await started.wait()
    loop = asyncio.get_running_loop()
    futures = [loop.create_future() for _ in range(3)]
    for n, fut in enumerate(futures):
        mw.queue.put_nowait(Item(record(n), _Ctx(), fut, -n))  # 2 is the most urgent
    stopping = asyncio.ensure_future(mw.shutdown())
    await asyncio.sleep(0.01)
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, 1)
    assert await holder == "held"
    assert ran == [2, 1, 0]
    assert [f.result() for f in futures] == [0, 1, 2]
    assert mw.queue.empty()


async def test_shutdown_skips_items_whose_job_was_cancelled():
    mw = QueueMiddleware(workers=1)
    await mw.startup(None)
    started = asyncio.Event()

    async def hold(context):
        started.set()
        await asyncio.Event().wait()

    async def never(context):
        raise AssertionError("a cancelled job's item ran")

    holder = asyncio.ensure_future(mw(hold, _Ctx()))
    await started.wait()
    loop = asyncio.get_running_loop()
    futures = [loop.create_future() for _ in range(3)]
    for fut in futures:
        mw.queue.put_nowait(Item(never, _Ctx(), fut, 0))
        fut.cancel()  # as an app that cancelled its jobs
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder
    await asyncio.wait_for(mw.shutdown(), 1)
    assert mw.queue.empty()
    assert all(f.cancelled() for f in futures)


async def test_a_cancelled_shutdown_cancels_the_workers_and_what_they_run():
    mw = QueueMiddleware(workers=1)
    before = asyncio.all_tasks()
    await mw.startup(None)
    started = asyncio.Event()
    seen: list[str] = []

    async def endless(context):
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    caller = asyncio.ensure_future(mw(endless, _Ctx()))
    await started.wait()
    queued = asyncio.ensure_future(mw(endless, _Ctx()))  # waits behind it
    stopping = asyncio.ensure_future(mw.shutdown())
    await asyncio.sleep(0.01)
    assert not stopping.done()  # a job that never ends keeps the drain waiting, as in 0.14
    stopping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopping
    for waiter in (caller, queued):
        with pytest.raises(asyncio.CancelledError):
            await waiter
    assert seen == ["cancelled"]
    assert asyncio.all_tasks() - {asyncio.current_task()} <= before
    assert "stopped" in repr(mw)


async def test_drain_without_workers_or_join_returns_at_once():
    mw = QueueMiddleware(workers=1)
    await asyncio.wait_for(mw.drain(), 1)  # not started

    class NoJoin:
        async def get(self):
            await asyncio.Event().wait()

        async def put(self, item): ...
        def task_done(self): ...

    plain = QueueMiddleware(NoJoin(), workers=1)
    await plain.startup(None)
    await asyncio.wait_for(plain.drain(), 1)
    await plain.shutdown()


async def test_shutdown_lets_a_running_execution_finish():
    mw = QueueMiddleware(workers=1)
    await mw.startup(None)
    started, release = asyncio.Event(), asyncio.Event()

    async def work(context):
        started.set()
        await release.wait()
        return "finished"

    caller = asyncio.ensure_future(mw(work, _Ctx()))
    await started.wait()
    stopping = asyncio.ensure_future(mw.shutdown())
    await asyncio.sleep(0.01)
    assert not stopping.done()  # waits for the running execution, which was not cancelled
    release.set()
    await asyncio.wait_for(stopping, 1)
    assert await caller == "finished"


def test_an_app_started_again_under_a_new_event_loop_keeps_working(monkeypatch):
    """Each asyncio.run is a new loop; the middleware's own queue follows it."""
    import asyncio

    from jobify import Jobify
    from jobify_queue import QueueMiddleware

    monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("JOBIFY_CONFIG", "")
    app = Jobify(storage=False, middleware=[QueueMiddleware(workers=2)])

    @app.task
    async def double(x: int) -> int:
        return 2 * x

    async def run(x: int) -> int:
        async with app:
            job = await double.push(x)
            await asyncio.wait_for(job.wait(), 5)
            return job.result()

    assert asyncio.run(run(1)) == 2
    assert asyncio.run(run(2)) == 4
